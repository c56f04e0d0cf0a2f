using System.Text;
using Ponder.Generation;
using Ponder.Text;

namespace Ponder.Serving;

/// <summary>
/// One sequence's state on the inference thread: its random stream, thinking state and text so far. Splits the
/// stream at <c>&lt;/think&gt;</c> into reasoning and answer deltas, cuts the answer at stop strings (holding back
/// text that could be the start of one) and publishes plain data through its <see cref="SequenceHandle"/>.
/// <para>Reasoning never reaches the answer. When the budget closed the reasoning, what the model writes next is held
/// back: if the model then closes its reasoning itself (<see cref="ThinkingControl"/> allows that once), the held
/// text was reasoning and is published as such; if the sequence ends first (its turn, a stop string, the token
/// limit), the text is the answer, released then.
/// After the model's own close no think marker can be generated (<see cref="ThinkingControl.Banned"/>), and marker
/// text spelled out of ordinary tokens is removed from the answer.</para>
/// </summary>
sealed class ActiveSequence
{
    readonly SequenceContext context;
    static readonly string[] Markers = [ChatTemplate.ThinkStart, ChatTemplate.ThinkEnd];

    readonly ThinkingControl? thinking;
    readonly ThinkingState thinkingState = new();
    readonly List<int> tokens = [];
    readonly Dictionary<int, int> counts = [];
    readonly StringBuilder reasoning = new(),
        answer = new(),
        held = new();
    readonly int holdBack;
    IncrementalDecoder decoder;
    int answerSent;
    int reasoningTokens;
    bool closed;
    bool cutAtStop;
    bool prefixSeen;

    public ActiveSequence(SequenceHandle handle, SequenceContext context)
    {
        Handle = handle;
        this.context = context;
        var r = handle.Request;
        Rng = new Random(SampleSeeds.For(r.Seed ?? Random.Shared.NextInt64(), r.PromptIds, r.SampleIndex));
        if (r.ReasoningOpen && context.ThinkEndId is int thinkEnd)
        {
            thinking = ThinkingControl.For(
                new SamplingOptions { MaxThinkingTokens = r.MaxThinkingTokens },
                context.Tokenizer,
                thinkEnd
            );
        }
        else
        {
            // No reasoning to write: all answer from the first token, as after the model's own close.
            closed = prefixSeen = thinkingState.Closed = thinkingState.ModelClosed = true;
        }
        Adjustment = new LogitAdjustment(r.FrequencyPenalty, r.PresencePenalty, r.LogitBias);
        decoder = context.Tokenizer.CreateIncrementalDecoder();
        // Held back: what could be the start of a stop string or of a spelled-out marker.
        holdBack = Math.Max(r.Stop.Count == 0 ? 0 : r.Stop.Max(s => s.Length), Markers.Max(m => m.Length)) - 1;
    }

    public SequenceHandle Handle { get; }
    public Random Rng { get; }
    public FinishReason? Finish { get; private set; }

    /// <summary>The request's penalties and bias, applied to this row's logits before each choice.</summary>
    public LogitAdjustment Adjustment { get; }

    /// <summary>Every generated token so far (reasoning, tokens the budget forced, answer): id → occurrences.</summary>
    public IReadOnlyDictionary<int, int> Counts => counts;
    public bool IsDone => Finish is not null || Handle.IsCancelled;

    /// <summary>Tokens this sequence may still generate.</summary>
    public int Remaining => Handle.Request.MaxNewTokens - tokens.Count;

    /// <summary>Ids the next token must not be (think markers after the reasoning closed).</summary>
    public IReadOnlyList<int> Banned =>
        thinking?.Banned(thinkingState) ?? [.. new[] { context.ThinkStartId, context.ThinkEndId }.OfType<int>()];

    /// <summary>The token to emit for the sampled one (the thinking budget may force others).</summary>
    public int Control(int sampled) => thinking?.Next(thinkingState, sampled) ?? sampled;

    /// <summary>Records an emitted token and publishes its text; completes the handle when the sequence ends.</summary>
    public void Accept(int id)
    {
        tokens.Add(id);
        counts[id] = counts.GetValueOrDefault(id) + 1;
        if (context.StopTokenIds.Contains(id))
            Finish = FinishReason.Stop;
        else if (id == context.ThinkEndId)
            CloseReasoning();
        else if (!closed)
            PublishReasoning(decoder.Add(id));
        else if (!thinkingState.ModelClosed)
            Hold(decoder.Add(id));
        else
            AddAnswer(decoder.Add(id));

        if (Finish is null && tokens.Count >= Handle.Request.MaxNewTokens)
            Finish = FinishReason.Length;
        if (Finish is not null)
            Complete();
    }

    /// <summary>A <c>&lt;/think&gt;</c>: the budget's or the model's first, or the model's own after the budget's
    /// (then what it wrote since the budget's is reasoning too).</summary>
    void CloseReasoning()
    {
        string text = decoder.Flush();
        decoder = context.Tokenizer.CreateIncrementalDecoder();
        if (closed)
        {
            held.Append(text);
            if (held.ToString().StartsWith(ChatTemplate.AnswerPrefix, StringComparison.Ordinal))
                held.Remove(0, ChatTemplate.AnswerPrefix.Length);
            text = held.ToString();
            held.Clear();
        }
        closed = true;
        PublishReasoning(text);
        reasoningTokens = tokens.Count;
        Handle.ReasoningTokens = reasoningTokens;
    }

    /// <summary>Text after the budget's close: reasoning or answer, the model decides. A stop string in it ends the
    /// sequence there (the text before it is then the answer).</summary>
    void Hold(string text)
    {
        held.Append(text);
        // Only the first characters are compared: the held text grows by one token per step.
        string answerPrefix = ChatTemplate.AnswerPrefix;
        int prefix =
            held.Length >= answerPrefix.Length && held.ToString(0, answerPrefix.Length) == answerPrefix
                ? answerPrefix.Length
                : 0;
        int from = Math.Max(prefix, held.Length - text.Length - holdBack);
        string recent = held.ToString(from, held.Length - from);
        if (Handle.Request.Stop.Any(stop => recent.Contains(stop, StringComparison.Ordinal)))
            Finish = FinishReason.Stop;
    }

    void PublishReasoning(string text)
    {
        if (text.Length == 0)
            return;
        reasoning.Append(text);
        Handle.Emit(new TextDelta(text, IsReasoning: true));
    }

    void AddAnswer(string text)
    {
        if (!prefixSeen && text.Length > 0)
        {
            // The answer prefix after </think> is template, not answer (as ChatTemplate.SplitReasoning drops it).
            prefixSeen = true;
            if (text.StartsWith(ChatTemplate.AnswerPrefix, StringComparison.Ordinal))
                text = text[ChatTemplate.AnswerPrefix.Length..];
        }
        int searchFrom = Math.Max(answerSent, answer.Length - holdBack);
        answer.Append(text);
        foreach (var marker in Markers)
            answer.Replace(marker, "", searchFrom, answer.Length - searchFrom);
        foreach (var stop in Handle.Request.Stop)
        {
            int at = answer.ToString(searchFrom, answer.Length - searchFrom).IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0)
            {
                answer.Length = searchFrom + at;
                Finish = FinishReason.Stop;
                cutAtStop = true;
                break;
            }
        }
        SendAnswer(Finish is null ? Math.Max(answerSent, answer.Length - holdBack) : answer.Length);
    }

    void SendAnswer(int upTo)
    {
        if (upTo <= answerSent)
            return;
        Handle.Emit(new TextDelta(answer.ToString(answerSent, upTo - answerSent), IsReasoning: false));
        answerSent = upTo;
    }

    void Complete()
    {
        string tail = decoder.Flush();
        if (!closed)
        {
            PublishReasoning(tail);
        }
        else if (!thinkingState.ModelClosed)
        {
            // The model did not close its reasoning again after the budget's close: what it wrote is the answer.
            held.Append(tail);
            AddAnswer(held.ToString());
        }
        else if (!cutAtStop)
        {
            AddAnswer(tail);
        }
        SendAnswer(answer.Length);
        string chain = reasoning.ToString();
        if (closed && chain.EndsWith('\n'))
            chain = chain[..^1];
        Handle.Complete(
            new SequenceResult(
                Finish ?? FinishReason.Length,
                Handle.Request.PromptIds.Count,
                tokens.Count,
                closed ? reasoningTokens : tokens.Count,
                chain,
                answer.ToString(),
                closed,
                tokens.ToArray()
            )
        );
    }
}

/// <summary>What every sequence of one model shares.</summary>
sealed record SequenceContext(
    TextTokenizer Tokenizer,
    IReadOnlySet<int> StopTokenIds,
    int? ThinkEndId,
    int? ThinkStartId = null
);
