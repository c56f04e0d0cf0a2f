#pragma warning disable OPENAI001 // ReasoningEffortLevel is experimental in the SDK
using System.ClientModel;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Ponder.Generation;
using Ponder.Server;
using static TorchSharp.torch;

namespace Ponder.Tests.Serving;

/// <summary>OpenAI's <c>logprobs</c>/<c>top_logprobs</c> and vLLM's <c>return_token_ids</c> over HTTP: the numbers are
/// the model's own log-softmax (checked by an independent full forward), they cover the answer's tokens only, and the
/// stream carries the same entries as the whole response.</summary>
public sealed class LogprobsTests(ServedModel tiny) : IClassFixture<ServedModel>
{
    const string Greedy =
        """{"model":"tiny","messages":[{"role":"user","content":"show me"}],"temperature":0,"max_completion_tokens":40,"reasoning_effort":"medium","logprobs":true,"top_logprobs":3""";

    static async Task<JsonNode> Post(ServerHarness h, string body)
    {
        var (status, json, _) = await h.PostAsync("v1/chat/completions", body);
        Assert.True(status == 200, json);
        return JsonNode.Parse(json)!;
    }

    static JsonArray Content(JsonNode choice) => choice["logprobs"]!["content"]!.AsArray();

    static byte[] Bytes(JsonNode entry) => [.. entry["bytes"]!.AsArray().Select(b => (byte)(int)b!)];

    /// <summary>The streamed chunks' JSON objects.</summary>
    static List<JsonNode> Chunks(string stream) =>
        [
            .. stream
                .Split('\n')
                .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l => JsonNode.Parse(l[6..])!),
        ];

    [Fact]
    public async Task Given_hidden_reasoning_Then_logprobs_are_exactly_the_answer_tokens_with_the_forward_values()
    {
        // Given the seeded completion the static generator gives: reasoning (budget 16, closed), then the answer
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var (reasoning, answer, c) = tiny.Expected(
            "show me",
            new SamplingOptions
            {
                Temperature = 0.9,
                Seed = 4,
                MaxNewTokens = 40,
                MaxThinkingTokens = 16,
            }
        );
        var tokenizer = tiny.Reference.Tokenizer;
        Assert.NotNull(c.ReasoningEnd); // the premise: the reasoning closed, an answer follows
        Assert.NotEqual("", reasoning);
        // The answer's tokens: after the last </think>, without the answer prefix "\n" and the stop token
        int from = c.ReasoningEnd!.Value + 1;
        if (from < c.TokenIds.Count && tokenizer.Decode([c.TokenIds[from]]) == "\n")
            from++;
        var stops = tiny.Serving.StopTokenIds.Concat(tiny.Serving.Prompt!.EndOfTurnIds).ToHashSet();
        int to = stops.Contains(c.TokenIds[^1]) ? c.TokenIds.Count - 1 : c.TokenIds.Count;

        // When the server is asked for logprobs with 3 candidates
        string body = Greedy.Replace("\"temperature\":0", "\"temperature\":0.9,\"seed\":4", StringComparison.Ordinal);
        var choice = (await Post(h, body + "}"))["choices"]![0]!;

        // Then the entries are those tokens, none of the reasoning's, and their bytes spell the answer
        var entries = Content(choice);
        Assert.Equal(answer, (string?)choice["message"]!["content"]);
        Assert.True(to - from > 0 && entries.Count == to - from, $"{entries.Count} entries, {to - from} expected");
        Assert.Equal(
            c.TokenIds.Skip(from).Take(to - from).Select(id => tokenizer.BytesOf(id)),
            entries.Select(e => Bytes(e!))
        );
        Assert.Equal(answer, Encoding.UTF8.GetString([.. entries.SelectMany(e => Bytes(e!))]));
        // And each log-prob is the log-softmax of the model's logits at its position in a full forward
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = c.PromptIds.Concat(c.TokenIds).Select(i => (long)i).ToArray();
        var lp = tiny.Reference.Network.Forward(tensor(ids).unsqueeze(0))[0].log_softmax(-1); // (T, V)
        for (int k = 0; k < entries.Count; k++)
        {
            var at = lp[c.PromptIds.Count - 1 + from + k]; // (V)
            var entry = entries[k]!;
            Assert.Equal(at[c.TokenIds[from + k]].item<float>(), (double)entry["logprob"]!, 1e-4);
            var top = entry["top_logprobs"]!.AsArray();
            Assert.Equal(3, top.Count);
            var (values, best) = at[..tokenizer.VocabSize].topk(3); // the model's padding rows are no tokens
            Assert.Equal(best.data<long>().Select(i => tokenizer.BytesOf((int)i)), top.Select(t => Bytes(t!)));
            for (int j = 0; j < 3; j++)
                Assert.Equal(values[j].item<float>(), (double)top[j]!["logprob"]!, 1e-4);
            // Sorted best first; the token is among them when it is at least as likely as the third
            Assert.True(top.Zip(top.Skip(1)).All(p => (double)p.First!["logprob"]! >= (double)p.Second!["logprob"]!));
            if ((double)entry["logprob"]! >= (double)top[2]!["logprob"]!)
                Assert.Contains(top, t => Bytes(t!).SequenceEqual(Bytes(entry)));
        }
    }

    [Fact]
    public async Task Given_a_seed_Then_the_streamed_logprobs_concatenated_are_the_whole_responses()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string body =
            """{"model":"tiny","messages":[{"role":"user","content":"mix"}],"temperature":0.9,"seed":4,"n":2,"max_completion_tokens":40,"reasoning_effort":"low","logprobs":true,"top_logprobs":2""";

        var whole = await Post(h, body + "}");
        var (_, stream, _) = await h.PostAsync("v1/chat/completions", body + ",\"stream\":true}");

        var chunks = Chunks(stream);
        for (int i = 0; i < 2; i++)
        {
            var mine = chunks.Select(c => c["choices"]!.AsArray().FirstOrDefault()).Where(c => (int?)c?["index"] == i);
            var streamed = new JsonArray([
                .. mine.SelectMany(c => c!["logprobs"]?["content"]?.AsArray() ?? []).Select(e => e!.DeepClone()),
            ]);
            var choice = whole["choices"]![i]!;
            Assert.NotEmpty(Content(choice));
            // Equal tokens and candidates; the numbers agree to float rounding (each run batches its rows its own way)
            Assert.Equal(Content(choice).Count, streamed.Count);
            foreach (var (a, b) in Content(choice).Zip(streamed))
            {
                Assert.Equal(Bytes(a!), Bytes(b!));
                Assert.Equal((double)a!["logprob"]!, (double)b!["logprob"]!, 1e-5);
                Assert.Equal(
                    a["top_logprobs"]!.AsArray().Select(t => (string?)t!["token"]),
                    b["top_logprobs"]!.AsArray().Select(t => (string?)t!["token"])
                );
            }
            string text = (string)choice["message"]!["content"]!;
            Assert.Equal(text, Encoding.UTF8.GetString([.. Content(choice).SelectMany(e => Bytes(e!))]));
        }
    }

    [Fact]
    public async Task Given_a_stop_string_Then_logprobs_end_with_the_token_where_the_stop_string_begins()
    {
        // Given a sampled answer biased to the letters a, b, c (the tiny model babbles bytes otherwise; the bias moves
        // the choice, not the reported log-probabilities)
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var tokenizer = tiny.Reference.Tokenizer;
        string bias = string.Join(",", "abc".Select(ch => $"\"{tokenizer.Encode(ch.ToString()).Single()}\":10"));
        string body =
            """{"model":"tiny","messages":[{"role":"user","content":"go on"}],"temperature":1,"seed":3,"max_completion_tokens":40,"reasoning_effort":"none","logprobs":true,"logit_bias":{"""
            + bias
            + "}";
        string full = (string)(await Post(h, body + "}"))["choices"]![0]!["message"]!["content"]!;
        // and a stop string of three of its characters from the middle: the answer is cut at its first occurrence
        string stop = full.Substring(full.Length / 2, 3);
        string cut = full[..full.IndexOf(stop, StringComparison.Ordinal)];
        Assert.True(cut.Length > 0 && stop.All(char.IsAsciiLetterLower), $"\"{full}\" cut at \"{stop}\"");

        // When the request has that stop string
        var choice = (await Post(h, body + $$""","stop":"{{stop}}"}"""))["choices"]![0]!;

        // Then the content is the cut answer and the tokens reach no further than the token where the stop begins
        Assert.Equal(cut, (string?)choice["message"]!["content"]);
        var bytes = Content(choice).Select(e => Bytes(e!)).ToList();
        int cutBytes = Encoding.UTF8.GetByteCount(cut);
        Assert.True(bytes.Sum(b => b.Length) >= cutBytes); // the tokens spell at least the content …
        Assert.True(bytes.SkipLast(1).Sum(b => b.Length) < cutBytes); // … and each begins before the cut
        Assert.StartsWith(cut, Encoding.UTF8.GetString([.. bytes.SelectMany(b => b)]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_no_logprobs_Then_logprobs_is_null_and_no_token_ids_are_written()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string body = Greedy.Replace(""","logprobs":true,"top_logprobs":3""", "", StringComparison.Ordinal);

        var r = await Post(h, body + "}");

        Assert.Null(r["choices"]![0]!["logprobs"]);
        Assert.False(r.AsObject().ContainsKey("prompt_token_ids"));
        Assert.False(r["choices"]![0]!.AsObject().ContainsKey("token_ids"));
    }

    [Theory]
    [InlineData(""","logprobs":true,"top_logprobs":21""", "top_logprobs")]
    [InlineData(""","logprobs":true,"top_logprobs":-1""", "top_logprobs")]
    [InlineData(""","top_logprobs":2""", "top_logprobs")]
    [InlineData(""","logprobs":false,"top_logprobs":0""", "top_logprobs")]
    [InlineData(""","logprobs":"yes" """, "logprobs")]
    [InlineData(""","return_token_ids":true""", "return_token_ids")]
    public async Task Given_an_invalid_logprobs_field_Then_400_in_openai_shape_naming_it(string fields, string param)
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string body =
            """{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":4""" + fields + "}";

        var (status, json, _) = await h.PostAsync("v1/chat/completions", body);

        Assert.True(status == 400, json);
        var error = JsonNode.Parse(json)!["error"]!;
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Contains(param, (string?)error["param"] ?? "", StringComparison.Ordinal);
        Assert.Contains(param, (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_raw_reasoning_Then_token_ids_are_every_generated_id_and_the_prompt_ids_the_prompt()
    {
        await using var h = await ServerHarness.StartAsync(
            tiny.Serving,
            new ServerOptions { ModelId = "tiny", Reasoning = ReasoningMode.Raw }
        );
        var expected = tiny.Expected(
            "show me",
            new SamplingOptions
            {
                Temperature = 0,
                MaxNewTokens = 40,
                MaxThinkingTokens = 16,
            }
        );
        string body = Greedy + ""","return_token_ids":true""";

        var r = await Post(h, body + "}");
        var (_, stream, _) = await h.PostAsync("v1/chat/completions", body + ",\"stream\":true}");

        var ids = r["choices"]![0]!["token_ids"]!.AsArray().Select(x => (int)x!).ToArray();
        Assert.Equal(expected.Completion.TokenIds, ids);
        Assert.Equal(expected.Completion.PromptIds, r["prompt_token_ids"]!.AsArray().Select(x => (int)x!));
        var chunks = Chunks(stream);
        Assert.Equal(expected.Completion.PromptIds, chunks[0]["prompt_token_ids"]!.AsArray().Select(x => (int)x!));
        var streamedIds = chunks.SelectMany(c =>
            c["choices"]!.AsArray().FirstOrDefault()?["token_ids"]?.AsArray().Select(x => (int)x!) ?? []
        );
        Assert.Equal(ids, streamedIds);
        // The ids decode to the reasoning and the answer; logprobs still cover the answer only
        string text = tiny.Reference.Tokenizer.Decode(ids);
        Assert.Contains((string)r["choices"]![0]!["message"]!["reasoning_content"]!, text, StringComparison.Ordinal);
        Assert.Equal(
            (string)r["choices"]![0]!["message"]!["content"]!,
            Encoding.UTF8.GetString([.. Content(r["choices"]![0]!).SelectMany(e => Bytes(e!))])
        );
    }

    [Fact]
    public async Task Given_hidden_reasoning_and_thinking_off_Then_token_ids_are_served_and_decode_to_the_answer()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string body =
            """{"model":"tiny","messages":[{"role":"user","content":"hi"}],"temperature":0,"max_completion_tokens":24,"chat_template_kwargs":{"enable_thinking":false},"return_token_ids":true,"logprobs":true}""";

        var choice = (await Post(h, body))["choices"]![0]!;

        var ids = choice["token_ids"]!.AsArray().Select(x => (int)x!).ToList();
        var stops = tiny.Serving.StopTokenIds.Concat(tiny.Serving.Prompt!.EndOfTurnIds).ToHashSet();
        var answerIds = ids.Count > 0 && stops.Contains(ids[^1]) ? ids[..^1] : ids;
        string content = (string)choice["message"]!["content"]!;
        Assert.Equal(content, tiny.Reference.Tokenizer.Decode(answerIds));
        Assert.Equal(answerIds.Count, Content(choice).Count);
        Assert.All(Content(choice), e => Assert.Empty(e!["top_logprobs"]!.AsArray()));
    }

    [Fact]
    public async Task Given_the_openai_sdk_Then_it_reads_the_logprobs_the_json_carries_streamed_or_not()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var client = new ChatClient(
            "tiny",
            new ApiKeyCredential("unused"),
            new OpenAIClientOptions { Endpoint = h.V1, NetworkTimeout = TimeSpan.FromSeconds(60) }
        );
        var options = new ChatCompletionOptions
        {
            ReasoningEffortLevel = ChatReasoningEffortLevel.Medium,
            MaxOutputTokenCount = 40,
            Temperature = 0,
            IncludeLogProbabilities = true,
            TopLogProbabilityCount = 3,
        };
        var json = Content((await Post(h, Greedy + "}"))["choices"]![0]!);

        ChatCompletion c = await client.CompleteChatAsync([new UserChatMessage("show me")], options);
        var streamed = new List<ChatTokenLogProbabilityDetails>();
        await foreach (var u in client.CompleteChatStreamingAsync([new UserChatMessage("show me")], options))
            streamed.AddRange(u.ContentTokenLogProbabilities);

        Assert.Equal(json.Count, c.ContentTokenLogProbabilities.Count);
        Assert.Equal(json.Count, streamed.Count);
        for (int k = 0; k < json.Count; k++)
        {
            var sdk = c.ContentTokenLogProbabilities[k];
            Assert.Equal((string?)json[k]!["token"], sdk.Token);
            Assert.Equal((double)json[k]!["logprob"]!, sdk.LogProbability, 1e-6);
            Assert.Equal(Bytes(json[k]!), sdk.Utf8Bytes?.ToArray());
            Assert.Equal(3, sdk.TopLogProbabilities.Count);
            Assert.Equal(sdk.Token, streamed[k].Token);
            Assert.Equal(sdk.LogProbability, streamed[k].LogProbability);
        }
    }
}
