namespace Ponder.Generation;

/// <summary>What a <see cref="DecodeEngine"/> tells a row's owner as the row runs (the server streams text from it).
/// Called on the engine's thread.</summary>
public interface IDecodeListener
{
    /// <summary>The row emitted <paramref name="token"/> (already appended to <see cref="DecodeRow.Tokens"/>; when it
    /// ended the row, <see cref="DecodeRow.Finish"/> is set).</summary>
    void Emitted(DecodeRow row, int token);

    /// <summary>The row left the engine: finished, or cancelled (<see cref="DecodeRow.Finish"/> null). Rows removed
    /// by <see cref="DecodeEngine.Clear"/> (after a failure) are not reported: its caller gets them back.</summary>
    void Ended(DecodeRow row);
}

/// <summary>
/// One sequence in the <see cref="DecodeEngine"/>: its prompt, settings and random stream in; its tokens, their
/// log-probabilities, where its reasoning ended and why it finished out. Owned by the engine's thread.
/// </summary>
public sealed class DecodeRow
{
    readonly Dictionary<int, int> counts = [];
    readonly Func<bool>? cancelled;

    /// <param name="prompt">The prompt's token ids (at least one).</param>
    /// <param name="settings">How to decode this row.</param>
    /// <param name="rng">This row's random stream (<see cref="SampleSeeds"/>): one draw per emitted token.</param>
    /// <param name="reasoningOpen">Whether the prompt ends inside an open think block
    /// (<see cref="ReasoningOpens"/>): then the engine counts and controls the reasoning and stop strings apply only
    /// after it closes; otherwise everything is answer and think markers are never generated.</param>
    /// <param name="listener">Told of every token and of the end (null: nobody listens).</param>
    /// <param name="cancelled">Polled before each step; true drops the row (null: never).</param>
    public DecodeRow(
        IReadOnlyList<int> prompt,
        RowSettings settings,
        Random rng,
        bool reasoningOpen,
        IDecodeListener? listener = null,
        Func<bool>? cancelled = null
    )
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(rng);
        if (prompt.Count == 0)
            throw new PonderException("the prompt is empty: give at least one token.");
        (Prompt, Settings, Rng, ReasoningOpen, Listener, this.cancelled) = (
            prompt,
            settings,
            rng,
            reasoningOpen,
            listener,
            cancelled
        );
        AnswerFrom = reasoningOpen ? null : 0;
    }

    public IReadOnlyList<int> Prompt { get; }
    public RowSettings Settings { get; }
    public Random Rng { get; }
    public bool ReasoningOpen { get; }
    public IDecodeListener? Listener { get; }

    /// <summary>Generated ids, including the stop token when one ended the row.</summary>
    public List<int> Tokens { get; } = [];

    /// <summary>Per generated token: its log-probability under logits / temperature (before truncation).</summary>
    public List<float> Logprobs { get; } = [];

    /// <summary>Per generated token, when <see cref="RowSettings.TopLogprobs"/> asks (else empty): its log-probability
    /// under the model's own distribution and the most likely tokens there.</summary>
    public List<ModelLogprobs> ModelLogprobs { get; } = [];

    /// <summary>Every generated token so far: id → occurrences (frequency and presence penalties read it).</summary>
    public IReadOnlyDictionary<int, int> Counts => counts;

    public ThinkingState Thinking { get; } = new();
    public FinishReason? Finish { get; internal set; }

    /// <summary>Index in <see cref="Tokens"/> where the answer begins: after the reasoning's latest close (by the
    /// model or the budget), 0 when the prompt did not open the reasoning, null while it is open.</summary>
    public int? AnswerFrom { get; internal set; }

    /// <summary>The row ended at the end of a reasoning step (<see cref="RowSettings.StepSeparator"/>).</summary>
    public bool EndedStep { get; internal set; }

    /// <summary>The stop string that ended the row, if one did.</summary>
    public string? StoppedBy { get; internal set; }

    /// <summary>Index in <see cref="Tokens"/> of the last end-of-thinking token, or null.</summary>
    public int? ReasoningEnd { get; internal set; }

    public bool IsCancelled => cancelled?.Invoke() ?? false;

    // The engine's bookkeeping.
    internal int Slot { get; set; } = -1;
    internal int Prefilled { get; set; }
    internal ThinkingControl? Control { get; set; }
    internal bool IsPrefilled => Prefilled == Prompt.Count;

    internal void Append(int id, float logprob)
    {
        Tokens.Add(id);
        Logprobs.Add(logprob);
        counts[id] = counts.GetValueOrDefault(id) + 1;
    }

    /// <summary>Whether <paramref name="prompt"/> ends inside an open think block: its last think marker is
    /// <paramref name="thinkStart"/> (the chat template's generation prompt ends with <c>&lt;think&gt;\n</c>; a
    /// template that switches thinking off closes the block itself).</summary>
    public static bool ReasoningOpens(IReadOnlyList<int> prompt, int? thinkStart, int? thinkEnd)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (thinkStart is null || thinkEnd is null)
            return false;
        for (int i = prompt.Count - 1; i >= 0; i--)
        {
            if (prompt[i] == thinkEnd)
                return false;
            if (prompt[i] == thinkStart)
                return true;
        }
        return false;
    }
}
