using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Ponder.Generation;
using Ponder.Rollouts.Monitoring;
using Ponder.Serving;

namespace Ponder.Server;

/// <summary>What to generate for one API request: the rendered prompt and its sampling settings (checked by the
/// reader of the request).</summary>
sealed record RunSettings
{
    public required IReadOnlyList<int> PromptIds { get; init; }

    /// <summary>Whether the prompt ends inside an open think block (see
    /// <see cref="GenerationRequest.ReasoningOpen"/>).</summary>
    public bool ReasoningOpen { get; init; } = true;
    public required double Temperature { get; init; }
    public required double TopP { get; init; }
    public int TopK { get; init; }
    public double MinP { get; init; }

    /// <summary>Null draws a fresh seed for the request.</summary>
    public required long? Seed { get; init; }
    public required int MaxTokens { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = [];
    public required int? ThinkingBudget { get; init; }
    public int N { get; init; } = 1;
    public double FrequencyPenalty { get; init; }
    public double PresencePenalty { get; init; }
    public IReadOnlyDictionary<int, double> LogitBias { get; init; } = Generation.LogitAdjustment.None.Bias;

    /// <summary>The answer tokens' log-probabilities with this many top candidates; null: none.</summary>
    public int? TopLogprobs { get; init; }

    /// <summary>Text the answer is made to begin with (a forced function call's opening); null: none.</summary>
    public string? AnswerPrefix { get; init; }
}

/// <summary>How one choice ended, after the monitor: <c>stop</c>, <c>length</c> or <c>content_filter</c>
/// (blocked). <paramref name="Logprobs"/>: the answer tokens' when asked (none for a blocked answer), else
/// null.</summary>
sealed record ChoiceOutcome(
    string FinishReason,
    SequenceResult Result,
    string Reasoning,
    string Answer,
    bool Blocked,
    IReadOnlyList<ModelLogprobs>? Logprobs = null
);

/// <summary>One event of one choice: a reasoning or answer delta (with its tokens' log-probabilities when asked), or
/// its outcome.</summary>
readonly record struct ChoiceEvent(
    int Index,
    string? Reasoning,
    string? Answer,
    ChoiceOutcome? Done,
    IReadOnlyList<ModelLogprobs>? Logprobs = null
);

/// <summary>
/// The N sequences of one request on the engine, with the CoT monitor between reasoning and answer: each choice's
/// reasoning is reviewed when it ends (before any answer text is released); a block cancels the sequence and
/// replaces the answer with the refusal, a flag is logged with the request id. Shared by every endpoint and the
/// IChatClient.
/// </summary>
sealed class ChatRun
{
    readonly SequenceHandle[] handles;
    readonly ServerOptions options;
    readonly ILogger logger;

    ChatRun(string id, SequenceHandle[] handles, ServerOptions options, ILogger logger)
    {
        (Id, this.handles, this.options, this.logger) = (id, handles, options, logger);
    }

    public string Id { get; }
    public int PromptTokens => handles[0].Request.PromptIds.Count;
    public IReadOnlyList<int> PromptIds => handles[0].Request.PromptIds;

    /// <summary>Choice <paramref name="index"/>'s reasoning tokens, known once its first answer delta was
    /// read.</summary>
    public int ReasoningTokens(int index) => handles[index].ReasoningTokens;

    /// <summary>Submits every choice; on <see cref="EngineBusyException"/> or a bad request none stays
    /// queued.</summary>
    public static ChatRun Start(InferenceEngine engine, ServerOptions options, ILogger logger, string id, RunSettings s)
    {
        long seed = s.Seed ?? Random.Shared.NextInt64();
        var handles = new List<SequenceHandle>();
        try
        {
            for (int j = 0; j < s.N; j++)
            {
                handles.Add(
                    engine.Submit(
                        new GenerationRequest
                        {
                            PromptIds = s.PromptIds,
                            Temperature = s.Temperature,
                            TopP = s.TopP,
                            TopK = s.TopK,
                            MinP = s.MinP,
                            Seed = seed,
                            SampleIndex = j,
                            MaxNewTokens = s.MaxTokens,
                            Stop = s.Stop,
                            MaxThinkingTokens = s.ThinkingBudget,
                            ReasoningOpen = s.ReasoningOpen,
                            FrequencyPenalty = s.FrequencyPenalty,
                            PresencePenalty = s.PresencePenalty,
                            LogitBias = s.LogitBias,
                            TopLogprobs = s.TopLogprobs,
                            AnswerPrefix = s.AnswerPrefix,
                            Id = id,
                        }
                    )
                );
            }
        }
        catch
        {
            foreach (var h in handles)
                h.Cancel();
            throw;
        }
        return new ChatRun(id, [.. handles], options, logger);
    }

    /// <summary>Every choice's events, interleaved as they are decoded. Cancelling <paramref name="ct"/> (the client
    /// went away) cancels every sequence and frees its slot.</summary>
    public async IAsyncEnumerable<ChoiceEvent> Events([EnumeratorCancellation] CancellationToken ct)
    {
        var merged = Channel.CreateUnbounded<ChoiceEvent>();
        using var registration = ct.Register(Cancel);
        var pumps = handles.Select((h, i) => Pump(i, h, merged.Writer)).ToArray();
        _ = Task.WhenAll(pumps)
            .ContinueWith(t => merged.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        await foreach (var e in merged.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            yield return e;
    }

    /// <summary>Every choice's outcome (non-streaming).</summary>
    public async Task<ChoiceOutcome[]> CompleteAsync(CancellationToken ct)
    {
        var outcomes = new ChoiceOutcome[handles.Length];
        await foreach (var e in Events(ct).ConfigureAwait(false))
        {
            if (e.Done is { } done)
                outcomes[e.Index] = done;
        }

        return outcomes;
    }

    public void Cancel()
    {
        foreach (var h in handles)
            h.Cancel();
    }

    async Task Pump(int index, SequenceHandle handle, ChannelWriter<ChoiceEvent> output)
    {
        var reasoning = new StringBuilder();
        var logprobs = handle.Request.TopLogprobs is null ? null : new List<ModelLogprobs>();
        CotVerdict? verdict = null;
        await foreach (var d in handle.Deltas.ReadAllAsync().ConfigureAwait(false))
        {
            if (d.IsReasoning)
            {
                reasoning.Append(d.Text);
                output.TryWrite(new ChoiceEvent(index, d.Text, null, null));
                continue;
            }
            verdict ??= Review(index, reasoning.ToString());
            if (verdict.Action == CotAction.Block)
            {
                handle.Cancel();
                break;
            }
            logprobs?.AddRange(d.Logprobs ?? []);
            output.TryWrite(new ChoiceEvent(index, null, d.Text, null, d.Logprobs));
        }
        SequenceResult result;
        try
        {
            result = await handle.Result.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (verdict?.Action == CotAction.Block)
        {
            result = Blocked(handle.Request, reasoning.ToString());
        }
        verdict ??= Review(index, result.Reasoning);
        Finish(index, result, verdict, output, logprobs);
    }

    /// <summary>The result of a sequence cancelled because its reasoning was blocked: no answer.</summary>
    static SequenceResult Blocked(GenerationRequest request, string reasoning) =>
        new(Generation.FinishReason.Stop, request.PromptIds.Count, 0, 0, reasoning, "", true, [], []);

    /// <summary>The choice's outcome; a blocked choice's answer is the refusal, sent as its last answer
    /// delta.</summary>
    void Finish(
        int index,
        SequenceResult result,
        CotVerdict verdict,
        ChannelWriter<ChoiceEvent> output,
        List<ModelLogprobs>? logprobs
    )
    {
        if (verdict.Action == CotAction.Block)
        {
            var none = logprobs is null ? null : Array.Empty<ModelLogprobs>();
            output.TryWrite(new ChoiceEvent(index, null, options.Refusal, null, none));
            output.TryWrite(
                new ChoiceEvent(
                    index,
                    null,
                    null,
                    new ChoiceOutcome("content_filter", result, result.Reasoning, options.Refusal, true, none)
                )
            );
            return;
        }
        string finish = result.Finish == Generation.FinishReason.Stop ? "stop" : "length";
        output.TryWrite(
            new ChoiceEvent(
                index,
                null,
                null,
                new ChoiceOutcome(finish, result, result.Reasoning, result.Answer, false, logprobs)
            )
        );
    }

    CotVerdict Review(int index, string reasoning)
    {
        if (options.Monitor is null)
            return CotVerdict.Allowed;
        var verdict = options.Monitor.Review(Id, reasoning);
        if (verdict.Action != CotAction.Allow)
            LogVerdict(logger, Id, index, verdict.Action, verdict.Reason, null);
        return verdict;
    }

    static readonly Action<ILogger, string, int, CotAction, string, Exception?> LogVerdict = LoggerMessage.Define<
        string,
        int,
        CotAction,
        string
    >(
        LogLevel.Warning,
        new EventId(1, "CotMonitor"),
        "CoT monitor: request {RequestId} choice {Choice}: {Action} ({Reason})"
    );
}
