using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ponder.Server.Api;

namespace Ponder.Server.Endpoints;

/// <summary>
/// A chat completion answered by a test-time strategy (<see cref="ServedStrategy"/>): every sample runs to its end,
/// the strategy picks one, and the response carries that one as choice 0 — whole, or streamed as one delta once
/// chosen (a vote cannot be streamed before its samples end). Usage counts all samples' tokens; the extension field
/// <c>test_time_strategy</c> says which strategy answered, over how many samples, and which was chosen.
/// </summary>
static class StrategyResponse
{
    public static async Task Write(
        HttpContext ctx,
        ServerState s,
        ChatRun run,
        ServedStrategy strategy,
        long created,
        bool raw,
        bool stream,
        StreamOptionsDto? streamOptions
    )
    {
        var outcomes = await run.CompleteAsync(ctx.RequestAborted).ConfigureAwait(false);
        var scores = strategy.NeedsScores ? await Score(s, run, outcomes).ConfigureAwait(false) : null;
        int chosen = strategy.Choose([.. outcomes.Select(o => o.Blocked ? null : o.Answer)], scores);
        var o = outcomes[chosen];
        var usage = ChatCompletionsEndpoint.Usage(run.PromptTokens, outcomes);
        var about = new JsonObject
        {
            ["name"] = strategy.Name,
            ["samples"] = outcomes.Length,
            ["chosen"] = chosen,
        };
        if (!stream)
        {
            await Results.Json(Whole(s, run, created, raw, o, usage, about)).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        bool includeUsage = streamOptions?.IncludeUsage == true;
        Sse.Begin(ctx.Response);
        var chunks = new ChunkWriter(ctx.Response, run.Id, created, s.Options.ModelId, includeUsage);
        var delta = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = o.Answer,
            ["refusal"] = o.Blocked ? o.Answer : null,
        };
        if (raw)
            delta["reasoning_content"] = o.Reasoning;
        await chunks.Delta(0, delta, null, top: new() { ["test_time_strategy"] = about }).ConfigureAwait(false);
        await chunks.Delta(0, [], o.FinishReason).ConfigureAwait(false);
        if (includeUsage)
            await chunks.Last(usage).ConfigureAwait(false);
        await Sse.Done(ctx.Response).ConfigureAwait(false);
    }

    /// <summary>The non-streamed response: the chosen sample as choice 0.</summary>
    static JsonObject Whole(
        ServerState s,
        ChatRun run,
        long created,
        bool raw,
        ChoiceOutcome o,
        JsonObject usage,
        JsonObject about
    )
    {
        var message = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = o.Answer,
            ["refusal"] = o.Blocked ? o.Answer : null,
        };
        if (raw)
            message["reasoning_content"] = o.Reasoning;
        return new JsonObject
        {
            ["id"] = run.Id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = s.Options.ModelId,
            ["system_fingerprint"] = null,
            ["choices"] = new JsonArray
            {
                new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = message,
                    ["logprobs"] = null,
                    ["finish_reason"] = o.FinishReason,
                },
            },
            ["usage"] = usage,
            ["test_time_strategy"] = about,
        };
    }

    /// <summary>The scorer's scores of every sample, off the request thread.</summary>
    static Task<double[]> Score(ServerState s, ChatRun run, ChoiceOutcome[] outcomes) =>
        Task.Run(() => s.Options.Scorer!(run.PromptIds, [.. outcomes.Select(o => o.Result.TokenIds)]));
}
