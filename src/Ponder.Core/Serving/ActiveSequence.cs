using System.Text;
using Ponder.Generation;
using Ponder.Text;

namespace Ponder.Serving;

/// <summary>
/// One served sequence's text, listening to its <see cref="DecodeRow"/> in the <see cref="DecodeEngine"/> (which
/// decides its tokens and when it ends, by the engine's one <see cref="StopRule"/>). Splits the stream at
/// <c>&lt;/think&gt;</c> into reasoning and answer deltas, cuts the answer at the stop string that ended it (holding
/// back text that could be the start of one) and publishes plain data through its <see cref="SequenceHandle"/>.
/// <para>Reasoning never reaches the answer. When the budget closed the reasoning, what the model writes next is held
/// back: if the model then closes its reasoning itself (<see cref="ThinkingControl"/> allows that once), the held
/// text was reasoning and is published as such; if the sequence ends first (its turn, a stop string, the token
/// limit), the text is the answer, released then.
/// After the model's own close no think marker can be generated (<see cref="ThinkingControl.Banned"/>), and marker
/// text spelled out of ordinary tokens is removed from the answer.</para>
/// <para>When the request asks for log-probabilities, the same split decides which tokens they cover: the answer's
/// tokens only — never a reasoning token, the <c>&lt;/think&gt;</c>, the answer prefix, a stop token, or a token
/// wholly after the stop string's start. Each rides on the answer delta that completes its text.</para>
/// </summary>
sealed class ActiveSequence : IDecodeListener
{
    readonly SequenceContext context;
    static readonly string[] Markers = [ChatTemplate.ThinkStart, ChatTemplate.ThinkEnd];

    readonly StringBuilder reasoning = new(),
        answer = new(),
        held = new();
    readonly List<(int Index, string Text)> heldTokens = [];
    readonly List<PendingToken>? pending; // answer tokens not yet sent; null when no log-probabilities are asked
    readonly int holdBack;
    readonly bool open;
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
        var rng = new Random(SampleSeeds.For(r.Seed ?? Random.Shared.NextInt64(), r.PromptIds, r.SampleIndex));
        open = r.ReasoningOpen && context.ThinkEndId is not null;
        // No reasoning to write: all answer from the first token, as after the model's own close.
        closed = prefixSeen = !open;
        var settings = new RowSettings
        {
            Temperature = r.Temperature,
            TopP = r.TopP,
            TopK = r.TopK,
            MinP = r.MinP,
            MaxNewTokens = r.MaxNewTokens,
            Stop = r.Stop,
            MaxThinkingTokens = r.MaxThinkingTokens,
            Adjustment = new LogitAdjustment(r.FrequencyPenalty, r.PresencePenalty, r.LogitBias),
            TopLogprobs = r.TopLogprobs,
            AnswerPrefix = r.AnswerPrefix,
        };
        pending = r.TopLogprobs is null ? null : [];
        Row = new DecodeRow(r.PromptIds, settings, rng, open, this, () => handle.IsCancelled);
        decoder = context.Tokenizer.CreateIncrementalDecoder();
        // Held back: what could be the start of a stop string or of a spelled-out marker.
        holdBack = Math.Max(r.Stop.Count == 0 ? 0 : r.Stop.Max(s => s.Length), Markers.Max(m => m.Length)) - 1;
    }

    public SequenceHandle Handle { get; }

    /// <summary>This sequence's row in the engine.</summary>
    public DecodeRow Row { get; }

    bool ModelClosed => !open || Row.Thinking.ModelClosed;

    /// <summary>Publishes an emitted token's text.</summary>
    public void Emitted(DecodeRow row, int token)
    {
        if (context.StopTokenIds.Contains(token))
            return;
        if (open && token == context.ThinkEndId)
            CloseReasoning();
        else if (!closed)
            PublishReasoning(decoder.Add(token));
        else if (!ModelClosed)
            Hold(decoder.Add(token));
        else
            AddAnswer(decoder.Add(token), Row.Tokens.Count - 1);
    }

    void Hold(string text)
    {
        held.Append(text);
        heldTokens.Add((Row.Tokens.Count - 1, text));
    }

    /// <summary>Completes the handle when the row finished, abandons it when it was cancelled.</summary>
    public void Ended(DecodeRow row)
    {
        if (row.Finish is null)
            Handle.Abandon(null);
        else
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
            heldTokens.Clear();
        }
        closed = true;
        PublishReasoning(text);
        reasoningTokens = Row.Tokens.Count;
        Handle.ReasoningTokens = reasoningTokens;
    }

    void PublishReasoning(string text)
    {
        if (text.Length == 0)
            return;
        reasoning.Append(text);
        Handle.Emit(new TextDelta(text, IsReasoning: true));
    }

    /// <param name="token">Index in <see cref="DecodeRow.Tokens"/> of the token <paramref name="text"/> is the text of
    /// (−1: text the decoder held back for earlier tokens).</param>
    void AddAnswer(string text, int token = -1)
    {
        if (cutAtStop)
            return;
        bool onlyPrefix = false;
        if (!prefixSeen && text.Length > 0)
        {
            // The answer prefix after </think> is template, not answer (as ChatTemplate.SplitReasoning drops it).
            prefixSeen = true;
            if (text.StartsWith(ChatTemplate.AnswerPrefix, StringComparison.Ordinal))
                text = text[ChatTemplate.AnswerPrefix.Length..];
            onlyPrefix = text.Length == 0;
        }
        int searchFrom = Math.Max(answerSent, answer.Length - holdBack);
        int start = answer.Length;
        answer.Append(text);
        foreach (var marker in Markers)
            answer.Replace(marker, "", searchFrom, answer.Length - searchFrom);
        foreach (var stop in Handle.Request.Stop)
        {
            int at = answer.ToString(searchFrom, answer.Length - searchFrom).IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0)
            {
                answer.Length = searchFrom + at;
                cutAtStop = true;
                break;
            }
        }
        if (pending is not null && token >= 0 && !onlyPrefix)
            pending.Add(new PendingToken(token, start, answer.Length));
        if (cutAtStop)
            pending?.RemoveAll(p => p.Start >= answer.Length); // wholly within the stop string or after it
        SendAnswer(cutAtStop ? answer.Length : Math.Max(answerSent, answer.Length - holdBack));
    }

    /// <param name="last">Sends every token still pending, with or without text.</param>
    void SendAnswer(int upTo, bool last = false)
    {
        List<ModelLogprobs>? tokens = null;
        if (pending is not null)
        {
            int sent = last ? pending.Count : pending.TakeWhile(p => p.End <= upTo).Count();
            tokens = [.. pending.Take(sent).Select(p => Row.ModelLogprobs[p.Index])];
            pending.RemoveRange(0, sent);
        }
        if (upTo <= answerSent && (tokens is null || tokens.Count == 0))
            return;
        string text = upTo > answerSent ? answer.ToString(answerSent, upTo - answerSent) : "";
        Handle.Emit(new TextDelta(text, IsReasoning: false, tokens));
        answerSent = Math.Max(answerSent, upTo);
    }

    /// <summary>An answer token: its index in <see cref="DecodeRow.Tokens"/> and where its text begins and ends in
    /// the answer.</summary>
    readonly record struct PendingToken(int Index, int Start, int End);

    void Complete()
    {
        string tail = decoder.Flush();
        if (!closed)
        {
            PublishReasoning(tail);
        }
        else if (!ModelClosed)
        {
            // The model did not close its reasoning again after the budget's close: what it wrote is the answer,
            // added token by token as it would have been.
            foreach (var (index, text) in heldTokens)
                AddAnswer(text, index);
            AddAnswer(tail);
        }
        else if (!cutAtStop)
        {
            AddAnswer(tail);
        }
        SendAnswer(answer.Length, last: true);
        string chain = reasoning.ToString();
        if (closed && chain.EndsWith('\n'))
            chain = chain[..^1];
        Handle.Complete(
            new SequenceResult(
                Row.Finish ?? FinishReason.Length,
                Handle.Request.PromptIds.Count,
                Row.Tokens.Count,
                closed ? reasoningTokens : Row.Tokens.Count,
                chain,
                answer.ToString(),
                closed,
                Row.Tokens.ToArray(),
                Row.Logprobs.ToArray()
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
