using System.Threading.Channels;
using Ponder.Generation;

namespace Ponder.Serving;

/// <summary>A piece of newly decoded text: reasoning (before <c>&lt;/think&gt;</c>) or answer.</summary>
/// <param name="Logprobs">On answer deltas of a request that asks (<see cref="GenerationRequest.TopLogprobs"/>): the
/// answer tokens whose text this delta completes, in order (possibly none; a last delta may carry tokens and no
/// text). Null otherwise.</param>
public readonly record struct TextDelta(string Text, bool IsReasoning, IReadOnlyList<ModelLogprobs>? Logprobs = null);

/// <summary>How a sequence ended.</summary>
/// <param name="Finish">stop (a stop token or string) or length (the token limit).</param>
/// <param name="PromptTokens">Prompt length in tokens.</param>
/// <param name="CompletionTokens">Generated tokens, reasoning included (the stop token counts, as OpenAI counts
/// it).</param>
/// <param name="ReasoningTokens">Tokens up to and including <c>&lt;/think&gt;</c> (all of them if it never
/// closed).</param>
/// <param name="Reasoning">The chain of thought (never sent to clients in hidden mode).</param>
/// <param name="Answer">The answer text, cut before a stop string; empty when the reasoning never closed.</param>
/// <param name="ReasoningClosed">The model (or the budget) closed the reasoning.</param>
/// <param name="TokenIds">Every generated id.</param>
/// <param name="Logprobs">Per generated id: its log-probability under the sampling distribution (logits /
/// temperature, before top-k/top-p truncation), as <see cref="Completion.Logprobs"/>: the behaviour policy an RL
/// trainer corrects for.</param>
public sealed record SequenceResult(
    FinishReason Finish,
    int PromptTokens,
    int CompletionTokens,
    int ReasoningTokens,
    string Reasoning,
    string Answer,
    bool ReasoningClosed,
    IReadOnlyList<int> TokenIds,
    IReadOnlyList<float> Logprobs
);

/// <summary>
/// The async side of one running sequence: its text deltas as they are decoded, then its result. Plain data only.
/// </summary>
public sealed class SequenceHandle
{
    readonly Channel<TextDelta> deltas = Channel.CreateUnbounded<TextDelta>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true }
    );
    readonly TaskCompletionSource<SequenceResult> result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    volatile bool cancelled;

    internal SequenceHandle(GenerationRequest request) => Request = request;

    public GenerationRequest Request { get; }

    /// <summary>Deltas in order; the channel completes when the sequence ends.</summary>
    public ChannelReader<TextDelta> Deltas => deltas.Reader;

    /// <summary>The result; cancelled when <see cref="Cancel"/> was called first, faulted on an engine error.</summary>
    public Task<SequenceResult> Result => result.Task;

    /// <summary>Asks the engine to drop the sequence at its next step (a client went away); frees its slot.</summary>
    public void Cancel() => cancelled = true;

    internal bool IsCancelled => cancelled;

    /// <summary>Reasoning tokens (with <c>&lt;/think&gt;</c>) once the reasoning has closed: set before the first
    /// answer delta is published, so a reader that has seen one sees the count.</summary>
    public int ReasoningTokens
    {
        get => Volatile.Read(ref reasoningTokens);
        internal set => Volatile.Write(ref reasoningTokens, value);
    }

    int reasoningTokens;

    internal void Emit(TextDelta delta) => deltas.Writer.TryWrite(delta);

    internal void Complete(SequenceResult r)
    {
        deltas.Writer.TryComplete();
        result.TrySetResult(r);
    }

    internal void Abandon(Exception? error)
    {
        deltas.Writer.TryComplete(error);
        if (error is null)
            result.TrySetCanceled();
        else
            result.TrySetException(error);
    }
}
