using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ponder.Server.Api;

namespace Ponder.Server.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c>, non-streaming and SSE, shaped exactly like OpenAI's. Hidden mode never writes
/// reasoning text; raw mode adds <c>reasoning_content</c> to messages and deltas.
/// <para><c>logprobs</c> cover the answer's tokens (<c>message.content</c>) only, in every mode: the log-probability
/// under the model's own distribution (raw logits, as OpenAI and vLLM's default report), never the reasoning's tokens.
/// Streamed, each content chunk carries the tokens its text completes.</para>
/// <para>vLLM's <c>return_token_ids</c> gives every generated id (reasoning, <c>&lt;/think&gt;</c>, answer, stop
/// token) — what an RL client needs to rebuild the sequence — so it decodes to the chain of thought. It is served
/// where the reasoning is shown (raw mode) or there is none (the prompt does not open it); otherwise it is refused
/// (400) rather than answered with the answer's ids alone, which a client would take for the whole completion.
/// Streamed, a choice's ids come on its last chunk and the prompt's on its first.</para>
/// <para>With <c>tools</c>, each choice's answer — never its reasoning — is read for function calls
/// (<see cref="ToolUse"/>): found, they are <c>message.tool_calls</c> with <c>finish_reason: "tool_calls"</c>;
/// streamed, text that could be a call is held back and the calls come as one <c>tool_calls</c> delta at the end
/// (<see cref="CallHoldBack"/>).</para>
/// </summary>
static class ChatCompletionsEndpoint
{
    /// <summary>What a response shows besides the answer.</summary>
    sealed record Shown(bool Raw, bool TokenIds, Text.TextTokenizer Tokenizer, ToolUse Tools);

    public static async Task Handle(HttpContext ctx, ServerState s)
    {
        var req = await RequestReader
            .ReadAsync<ChatCompletionRequest>(ctx.Request, s.Options.MaxRequestBytes)
            .ConfigureAwait(false);
        s.CheckModel(req.Model);
        var strategy = Strategy(req, s);
        var (settings, tools) = Settings(req, s);
        if (strategy is not null && tools.ReadsCalls)
        {
            throw ApiException.BadRequest(
                $"'tools' cannot be combined with the test-time strategy {strategy}: its samples are voted on as "
                    + "text.",
                "tools"
            );
        }
        if (strategy is not null)
            settings = settings with { N = Choices(strategy.Samples, s, "test_time_strategy") };
        if (req.StreamOptions is not null && req.Stream != true)
            throw ApiException.BadRequest("'stream_options' is only allowed when 'stream' is true.", "stream_options");
        bool raw = s.Options.Reasoning == ReasoningMode.Raw;
        bool tokenIds = TokenIds(req.ReturnTokenIds, settings.ReasoningOpen, s.Options.Reasoning);
        var shown = new Shown(raw, tokenIds, s.Engine.Model.Tokenizer, tools);
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var run = s.Start(ctx, id, settings);
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (strategy is not null)
        {
            await StrategyResponse
                .Write(ctx, s, run, strategy, created, raw, req.Stream == true, req.StreamOptions)
                .ConfigureAwait(false);
        }
        else if (req.Stream == true)
        {
            await Stream(run, s, ctx, created, shown, req.StreamOptions?.IncludeUsage == true).ConfigureAwait(false);
        }
        else
        {
            await Whole(ctx, s, run, created, shown).ConfigureAwait(false);
        }
    }

    /// <summary>The request's test-time strategy (its own, else the server's for its reasoning_effort), or null;
    /// 400 where it cannot combine with the request.</summary>
    static ServedStrategy? Strategy(ChatCompletionRequest req, ServerState s)
    {
        ServedStrategy? strategy;
        try
        {
            strategy = req.TestTimeStrategy is { } text
                ? ServedStrategy.Parse(text, "test_time_strategy")
                : s.Options.EffortStrategies.GetValueOrDefault(
                    req.ReasoningEffort is "xhigh" ? "high" : req.ReasoningEffort ?? "medium"
                );
        }
        catch (PonderException e)
        {
            throw ApiException.BadRequest(e.Message, "test_time_strategy");
        }
        if (strategy is null)
            return null;
        string? clash =
            req.N is > 1 ? "n"
            : req.Logprobs == true ? "logprobs"
            : req.ReturnTokenIds == true ? "return_token_ids"
            : null;
        if (clash is not null)
        {
            throw ApiException.BadRequest(
                $"'{clash}' cannot be combined with the test-time strategy {strategy}, which answers with one of its "
                    + "samples; drop one of them.",
                clash
            );
        }
        if (strategy.NeedsScores && s.Options.Scorer is null)
        {
            throw ApiException.BadRequest(
                $"the test-time strategy {strategy} needs a scorer: start ponder serve with --scorer DIR, or use "
                    + "majority.",
                "test_time_strategy"
            );
        }
        return strategy;
    }

    /// <summary>Whether <c>return_token_ids</c> is served: the ids decode to the reasoning, so only where it is shown
    /// or there is none.</summary>
    static bool TokenIds(bool? requested, bool reasoningOpen, ReasoningMode mode)
    {
        if (requested != true)
            return false;
        if (reasoningOpen && mode != ReasoningMode.Raw)
        {
            throw ApiException.BadRequest(
                "'return_token_ids' would reveal the hidden reasoning (the completion's ids include it): this server "
                    + "shows reasoning only when started with --reasoning raw. Use 'logprobs' for the answer's "
                    + "tokens.",
                "return_token_ids"
            );
        }
        return true;
    }

    /// <summary>The request's prompt and sampling settings; 400 for any the engine cannot serve.</summary>
    static (RunSettings, ToolUse) Settings(ChatCompletionRequest req, ServerState s)
    {
        var tools = ToolRequests.Read(
            ToolRequests.Nested(req.Tools),
            req.ToolChoice,
            req.ParallelToolCalls,
            s.Engine.Prompt.ToolFormat,
            c => ToolRequests.StringAt(c, "function", "name"),
            "{\"type\": \"function\", \"function\": {\"name\": ...}}"
        );
        var messages = MessageJson.FromChat(req.Messages, "messages");
        var rendered = Render(s, messages, req.ChatTemplateKwargs, tools);
        var prompt = rendered.Ids;
        string maxParam = req.MaxCompletionTokens is not null ? "max_completion_tokens" : "max_tokens";
        if (req.ResponseFormat is { } format)
            RequestReader.TextFormat(format.Type, "response_format");
        var run = new RunSettings
        {
            PromptIds = prompt,
            AnswerPrefix = tools.AnswerPrefix,
            ReasoningOpen = rendered.ReasoningOpen,
            Temperature = RequestReader.Range(req.Temperature, 1.0, 0, 2, "temperature"),
            TopP = RequestReader.Range(req.TopP, 1.0, double.Epsilon, 1, "top_p"),
            TopK = (int)RequestReader.Range(req.TopK, 0, -1, int.MaxValue, "top_k"),
            MinP = RequestReader.Range(req.MinP, 0, 0, 1, "min_p"),
            Seed = req.Seed,
            MaxTokens = RequestReader.MaxTokens(
                req.MaxCompletionTokens ?? req.MaxTokens,
                maxParam,
                prompt.Count,
                s.Engine,
                s.Options
            ),
            Stop = RequestReader.Stop(req.Stop),
            ThinkingBudget = RequestReader.ThinkingBudget(req.ReasoningEffort, s.Engine, "reasoning_effort"),
            N = Choices(req.N, s),
            FrequencyPenalty = RequestReader.Range(req.FrequencyPenalty, 0, -2, 2, "frequency_penalty"),
            PresencePenalty = RequestReader.Range(req.PresencePenalty, 0, -2, 2, "presence_penalty"),
            LogitBias = RequestReader.LogitBias(req.LogitBias, s.Engine.VocabSize),
            TopLogprobs = RequestReader.TopLogprobs(req.Logprobs, req.TopLogprobs),
        };
        return (run, tools);
    }

    /// <summary>The prompt from the model's chat template; <c>chat_template_kwargs</c> become template variables, and a
    /// template that refuses the conversation (raise_exception) is a 400.</summary>
    static Text.RenderedPrompt Render(
        ServerState s,
        JsonArray messages,
        System.Text.Json.JsonElement? kwargs,
        ToolUse tools
    )
    {
        var variables = RequestReader.TemplateKwargs(kwargs, "chat_template_kwargs");
        try
        {
            return s.Engine.Prompt.RenderForGeneration(
                MessageJson.Element(messages),
                "messages",
                tools.Variables(variables)
            );
        }
        catch (PonderException e)
        {
            throw ApiException.BadRequest(e.Message, variables is null ? "messages" : "chat_template_kwargs");
        }
    }

    /// <summary>n, at most the server's choices per request and what the engine can ever hold at once: its
    /// slots and its waiting places together (more could never all be admitted, so 429 would repeat forever).</summary>
    internal static int Choices(int? requested, ServerState s, string field = "n")
    {
        int n = requested ?? 1;
        if (n < 1 || n > s.Options.MaxChoices)
        {
            throw ApiException.BadRequest(
                $"'{field}' {n} must be between 1 and {s.Options.MaxChoices} (ponder serve --max-choices).",
                field
            );
        }
        var engine = s.Engine.Options;
        int capacity = engine.MaxConcurrency + engine.MaxQueue;
        if (n > capacity)
        {
            throw ApiException.BadRequest(
                $"'{field}' {n} is more than this server can ever hold at once (max-concurrency "
                    + $"{engine.MaxConcurrency} + max-queue {engine.MaxQueue}): ask for at most {capacity}.",
                field
            );
        }

        return n;
    }

    static async Task Whole(HttpContext ctx, ServerState s, ChatRun run, long created, Shown shown)
    {
        var outcomes = await run.CompleteAsync(ctx.RequestAborted).ConfigureAwait(false);
        var choices = new JsonArray();
        for (int i = 0; i < outcomes.Length; i++)
        {
            var o = outcomes[i];
            var (content, calls) = o.Blocked ? (o.Answer, []) : shown.Tools.Read(o.Answer);
            var message = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = content,
                ["refusal"] = o.Blocked ? o.Answer : null,
            };
            if (calls.Count > 0)
                message["tool_calls"] = ToolUse.Json(calls, withIndex: false);
            if (shown.Raw)
                message["reasoning_content"] = o.Reasoning;
            var choice = new JsonObject
            {
                ["index"] = i,
                ["message"] = message,
                ["logprobs"] = o.Logprobs is null ? null : LogprobsJson.Of(o.Logprobs, shown.Tokenizer),
                ["finish_reason"] = calls.Count > 0 ? "tool_calls" : o.FinishReason,
            };
            if (shown.TokenIds)
                choice["token_ids"] = Ids(o.Result.TokenIds);
            choices.Add(choice);
        }
        var body = new JsonObject
        {
            ["id"] = run.Id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = s.Options.ModelId,
            ["system_fingerprint"] = null,
            ["choices"] = choices,
            ["usage"] = Usage(run.PromptTokens, outcomes),
        };
        if (shown.TokenIds)
            body["prompt_token_ids"] = Ids(run.PromptIds);
        await Results.Json(body).ExecuteAsync(ctx).ConfigureAwait(false);
    }

    static JsonArray Ids(IEnumerable<int> ids) => [.. ids.Select(id => (JsonNode)id)];

    static async Task Stream(ChatRun run, ServerState s, HttpContext ctx, long created, Shown shown, bool usage)
    {
        var response = ctx.Response;
        Sse.Begin(response);
        var chunks = new ChunkWriter(response, run.Id, created, s.Options.ModelId, usage);
        var promptIds = shown.TokenIds ? Ids(run.PromptIds) : null;
        var outcomes = new List<ChoiceOutcome>();
        var holds = new Dictionary<int, CallHoldBack>();
        var heldLogprobs = new Dictionary<int, List<Generation.ModelLogprobs>>();
        await foreach (var e in run.Events(ctx.RequestAborted).ConfigureAwait(false))
        {
            if (!holds.ContainsKey(e.Index))
            {
                holds[e.Index] = new CallHoldBack(shown.Tools);
                heldLogprobs[e.Index] = [];
                var first = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = "",
                    ["refusal"] = null,
                };
                await chunks
                    .Delta(e.Index, first, null, top: new() { ["prompt_token_ids"] = promptIds?.DeepClone() })
                    .ConfigureAwait(false);
            }

            if (e.Reasoning is { } r && shown.Raw)
            {
                await chunks.Delta(e.Index, new JsonObject { ["reasoning_content"] = r }, null).ConfigureAwait(false);
            }
            else if (e.Answer is { } a)
            {
                heldLogprobs[e.Index].AddRange(e.Logprobs ?? []);
                await Content(
                        chunks,
                        e.Index,
                        holds[e.Index].Push(a),
                        e.Logprobs is null ? null : heldLogprobs[e.Index],
                        shown
                    )
                    .ConfigureAwait(false);
            }
            else if (e.Done is { } done)
            {
                outcomes.Add(done);
                await Finish(chunks, e.Index, done, holds[e.Index], heldLogprobs[e.Index], shown).ConfigureAwait(false);
            }
        }
        if (usage)
            await chunks.Last(Usage(run.PromptTokens, outcomes)).ConfigureAwait(false);
        await Sse.Done(response).ConfigureAwait(false);
    }

    /// <summary>A content delta with the log-probabilities of the tokens it completes (those held with it
    /// included). Nothing while the text is held back — its tokens' log-probs would spell out a call before it is
    /// one — unless <paramref name="last"/> sends the log-probs that remain.</summary>
    static Task Content(
        ChunkWriter chunks,
        int index,
        string text,
        List<Generation.ModelLogprobs>? logprobs,
        Shown shown,
        bool last = false
    )
    {
        if (text.Length == 0 && (!last || logprobs is null || logprobs.Count == 0))
            return Task.CompletedTask;
        var json = logprobs is null ? null : LogprobsJson.Of([.. logprobs], shown.Tokenizer);
        logprobs?.Clear();
        return chunks.Delta(index, new JsonObject { ["content"] = text }, null, json);
    }

    /// <summary>A choice's end: its calls as one tool_calls delta (finish reason tool_calls), or the content held
    /// back, then its finish reason.</summary>
    static async Task Finish(
        ChunkWriter chunks,
        int index,
        ChoiceOutcome done,
        CallHoldBack hold,
        List<Generation.ModelLogprobs> logprobs,
        Shown shown
    )
    {
        var (rest, calls) = hold.Finish(done.Answer, done.Blocked);
        if (calls.Count > 0)
        {
            var delta = new JsonObject { ["tool_calls"] = ToolUse.Json(calls, withIndex: true) };
            await chunks.Delta(index, delta, null).ConfigureAwait(false);
        }
        else
        {
            bool asked = done.Logprobs is not null;
            await Content(chunks, index, rest, asked ? logprobs : null, shown, last: true).ConfigureAwait(false);
        }
        var ids = shown.TokenIds ? new JsonObject { ["token_ids"] = Ids(done.Result.TokenIds) } : null;
        string finish = calls.Count > 0 ? "tool_calls" : done.FinishReason;
        await chunks.Delta(index, [], finish, choiceFields: ids).ConfigureAwait(false);
    }

    /// <summary>OpenAI's usage object; completion tokens include the reasoning.</summary>
    internal static JsonObject Usage(int promptTokens, IReadOnlyCollection<ChoiceOutcome> outcomes)
    {
        int completion = outcomes.Sum(o => o.Result.CompletionTokens),
            reasoning = outcomes.Sum(o => o.Result.ReasoningTokens);
        return new JsonObject
        {
            ["prompt_tokens"] = promptTokens,
            ["completion_tokens"] = completion,
            ["total_tokens"] = promptTokens + completion,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
            ["completion_tokens_details"] = new JsonObject
            {
                ["reasoning_tokens"] = reasoning,
                ["audio_tokens"] = 0,
                ["accepted_prediction_tokens"] = 0,
                ["rejected_prediction_tokens"] = 0,
            },
        };
    }
}
