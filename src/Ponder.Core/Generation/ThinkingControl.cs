using Ponder.Text;

namespace Ponder.Generation;

/// <summary>Where one completion stands with respect to its reasoning.</summary>
public sealed class ThinkingState
{
    /// <summary>Tokens queued to be emitted before anything sampled (the rest of a forced sequence).</summary>
    public Queue<int> Forced { get; } = new();
    public bool Closed { get; set; }
    public int ReasoningTokens { get; set; }
    public int Extensions { get; set; }
    public bool BudgetCut { get; set; }
}

/// <summary>
/// The thinking budget and budget forcing (s1, Muennighoff et al. 2025). Per completion and step it decides whether
/// the sampled token is replaced: when the budget is spent, the end of thinking and the answer prefix are emitted; when
/// the model ends its thinking early and extensions remain, the extension string ("Wait") is emitted instead. Forced
/// sequences are queued and emitted one token per step, so the model reads them as if it had written them. The prompt
/// is assumed to open the reasoning (the chat template's generation prompt does).
/// </summary>
public sealed class ThinkingControl
{
    readonly int? budget;
    readonly int extend;
    readonly int thinkEnd;
    readonly int[] closing;
    readonly int[] extension;

    public ThinkingControl(int? budget, int extend, int thinkEnd, int[] closing, int[] extension)
    {
        (this.budget, this.extend, this.thinkEnd, this.closing, this.extension) = (
            budget,
            extend,
            thinkEnd,
            closing,
            extension
        );
    }

    /// <summary>The control for <paramref name="o"/>, or null when it sets neither a budget nor extensions.</summary>
    public static ThinkingControl? For(SamplingOptions o, TextTokenizer tokenizer, int? thinkEndId)
    {
        if (o.MaxThinkingTokens is null && o.ExtendThinking == 0)
            return null;
        int end =
            thinkEndId ?? throw new PonderException("a thinking budget needs a tokenizer with the </think> token.");
        int[] closing = [end, .. tokenizer.Encode(ChatTemplate.AnswerPrefix)];
        return new ThinkingControl(
            o.MaxThinkingTokens,
            o.ExtendThinking,
            end,
            closing,
            [.. tokenizer.Encode(o.ExtendWith)]
        );
    }

    /// <summary>The token to emit given the model's <paramref name="sampled"/> one; updates
    /// <paramref name="s"/>.</summary>
    public int Next(ThinkingState s, int sampled)
    {
        int emitted = Choose(s, sampled);
        if (emitted == thinkEnd)
            s.Closed = true;
        else if (!s.Closed)
            s.ReasoningTokens++;
        return emitted;
    }

    int Choose(ThinkingState s, int sampled)
    {
        if (s.Forced.Count > 0)
            return s.Forced.Dequeue();
        if (s.Closed)
            return sampled;
        if (sampled == thinkEnd)
        {
            bool room = budget is null || s.ReasoningTokens + extension.Length <= budget;
            if (s.Extensions >= extend || !room)
                return sampled;
            s.Extensions++;
            return Enqueue(s, extension);
        }
        if (budget is int b && s.ReasoningTokens >= b)
        {
            s.BudgetCut = true;
            return Enqueue(s, closing);
        }
        return sampled;
    }

    static int Enqueue(ThinkingState s, int[] tokens)
    {
        foreach (int t in tokens.Skip(1))
            s.Forced.Enqueue(t);
        return tokens[0];
    }
}
