// The npm `openai` client's function-calling round trip against an OpenAI-compatible server, whole and streamed:
// the model calls a tool, the tool's result goes back, the final answer returns. Every byte the server sends is
// recorded and must not hold the reasoning marker. Exits 1 with a message naming the failed check.
//
//   node roundtrip.mjs <base-url> '<json: {model, marker, question, result, answer, tools}>'
import OpenAI from "openai";

const [baseURL, configText] = process.argv.slice(2);
if (!baseURL || !configText) {
  console.error("usage: node roundtrip.mjs <base-url> '<json config>'");
  process.exit(2);
}
const config = JSON.parse(configText);
const bodies = [];
const recordingFetch = async (url, init) => {
  const response = await fetch(url, init);
  bodies.push(response.clone().text());
  return response;
};
const client = new OpenAI({ baseURL, apiKey: "unused", fetch: recordingFetch, maxRetries: 0, timeout: 120_000 });
const request = { model: config.model, tools: config.tools, temperature: 0, max_tokens: 200 };

function check(ok, what) {
  if (!ok) {
    console.error(`roundtrip.mjs: ${what}`);
    process.exit(1);
  }
}

async function whole() {
  const messages = [{ role: "user", content: config.question }];
  const first = await client.chat.completions.create({ ...request, messages });
  const choice = first.choices[0];
  check(choice.finish_reason === "tool_calls", `whole: finish_reason ${choice.finish_reason}, not tool_calls`);
  const calls = choice.message.tool_calls ?? [];
  check(calls.length === 1, `whole: ${calls.length} tool calls, not 1`);
  check(calls[0].id.startsWith("call_"), `whole: call id ${calls[0].id}`);
  JSON.parse(calls[0].function.arguments);
  messages.push(choice.message, { role: "tool", tool_call_id: calls[0].id, content: config.result });
  const second = await client.chat.completions.create({ ...request, messages });
  const answer = second.choices[0].message.content;
  check(
    answer === config.answer,
    `whole: final answer ${JSON.stringify(answer)}, not ${JSON.stringify(config.answer)}`,
  );
  return calls[0].function.name;
}

async function streamed() {
  const messages = [{ role: "user", content: config.question }];
  const stream = await client.chat.completions.create({ ...request, messages, stream: true });
  let content = "";
  let finish = null;
  const calls = [];
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? "";
    for (const t of choice.delta.tool_calls ?? []) {
      calls[t.index] ??= { id: "", name: "", arguments: "" };
      calls[t.index].id += t.id ?? "";
      calls[t.index].name += t.function?.name ?? "";
      calls[t.index].arguments += t.function?.arguments ?? "";
    }
    finish = choice.finish_reason ?? finish;
  }
  check(finish === "tool_calls", `streamed: finish_reason ${finish}, not tool_calls`);
  check(calls.length === 1, `streamed: ${calls.length} tool calls, not 1`);
  check(content === "", `streamed: content ${JSON.stringify(content)} beside the call`);
  const [call] = calls;
  messages.push(
    {
      role: "assistant",
      content: null,
      tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }],
    },
    { role: "tool", tool_call_id: call.id, content: config.result },
  );
  const second = await client.chat.completions.create({ ...request, messages, stream: true });
  let answer = "";
  for await (const chunk of second) answer += chunk.choices[0]?.delta.content ?? "";
  check(
    answer === config.answer,
    `streamed: final answer ${JSON.stringify(answer)}, not ${JSON.stringify(config.answer)}`,
  );
  return call.name;
}

try {
  const names = [await whole(), await streamed()];
  const seen = (await Promise.all(bodies)).join("\n");
  check(!seen.includes(config.marker), `the reasoning marker ${config.marker} is in a response`);
  console.log(`roundtrip ok: called ${names.join(", ")}; ${bodies.length} responses, no reasoning marker`);
} catch (e) {
  console.error(`roundtrip.mjs: ${e?.stack ?? e}`);
  process.exit(1);
}
