using Ponder.Runtime;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Generation;

/// <summary>Where one completion stands with respect to its reasoning.</summary>
public sealed class ThinkingState
{
    /// <summary>Tokens queued to be emitted before anything sampled (the rest of a forced sequence).</summary>
    public Queue<int> Forced { get; } = new();

    /// <summary>The reasoning has been closed, by the model or by the budget.</summary>
    public bool Closed { get; set; }

    /// <summary>The model itself chose <c>&lt;/think&gt;</c> (a close the budget forced does not count): its answer
    /// has begun, and no think marker may follow.</summary>
    public bool ModelClosed { get; set; }
    public int ReasoningTokens { get; set; }
    public int Extensions { get; set; }
    public bool BudgetCut { get; set; }
}

/// <summary>
/// The thinking budget and budget forcing (s1, Muennighoff et al. 2025). Per completion and step it decides whether
/// the sampled token is replaced: when the budget is spent, the end of thinking and the answer prefix are emitted; when
/// the model ends its thinking early and extensions remain, the extension string ("Wait") is emitted instead. Forced
/// sequences are queued and emitted one token per step, so the model reads them as if it had written them. The prompt
/// is assumed to open the reasoning (the chat template's generation prompt does). A forced answer opening
/// (<see cref="RowSettings.AnswerPrefix"/>, a server forcing a function call) follows every close, the model's or the
/// budget's, so the answer begins with it wherever the reasoning ends.
/// <para>It also keeps the think markers out of the answer (<see cref="Banned"/>): once the reasoning is closed no
/// <c>&lt;think&gt;</c> may open another, and once the model has closed it itself no <c>&lt;/think&gt;</c> may follow.
/// After a close the budget forced, the model may still close its own reasoning once: a model cut off mid-thought
/// often goes on reasoning and then writes <c>&lt;/think&gt;</c>, which marks that text as reasoning too.</para>
/// </summary>
public sealed class ThinkingControl
{
    readonly int? budget;
    readonly int extend;
    readonly int thinkEnd;
    readonly int? thinkStart;
    readonly int[] closing;
    readonly int[] extension;
    readonly int[] answerOpening;

    /// <param name="thinkStart">The <c>&lt;think&gt;</c> id, banned after the close; null when the tokenizer has
    /// none.</param>
    /// <param name="answerOpening">Tokens forced after any close (<see cref="RowSettings.AnswerPrefix"/>).</param>
    public ThinkingControl(
        int? budget,
        int extend,
        int thinkEnd,
        int[] closing,
        int[] extension,
        int? thinkStart = null,
        int[]? answerOpening = null
    )
    {
        (this.budget, this.extend, this.thinkEnd, this.extension, this.thinkStart) = (
            budget,
            extend,
            thinkEnd,
            extension,
            thinkStart
        );
        this.answerOpening = answerOpening ?? [];
        this.closing = [.. closing, .. this.answerOpening];
    }

    /// <summary>The control for <paramref name="o"/>; null only when the tokenizer has no <c>&lt;/think&gt;</c>
    /// (then there is no reasoning to control).</summary>
    public static ThinkingControl? For(SamplingOptions o, TextTokenizer tokenizer, int? thinkEndId) =>
        For(RowSettings.From(o), tokenizer, thinkEndId);

    /// <summary>The control for one row's <paramref name="o"/>; null only when the tokenizer has no
    /// <c>&lt;/think&gt;</c>.</summary>
    public static ThinkingControl? For(RowSettings o, TextTokenizer tokenizer, int? thinkEndId)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (thinkEndId is not int end)
        {
            return o.MaxThinkingTokens is null && o.ExtendThinking == 0
                ? null
                : throw new PonderException("a thinking budget needs a tokenizer with the </think> token.");
        }
        int[] prefix = [.. tokenizer.Encode(ChatTemplate.AnswerPrefix)];
        int[] opening = string.IsNullOrEmpty(o.AnswerPrefix)
            ? []
            : [.. prefix, .. tokenizer.Encode(o.AnswerPrefix, allowSpecialTokens: true)];
        return new ThinkingControl(
            o.MaxThinkingTokens,
            o.ExtendThinking,
            end,
            [end, .. (opening.Length > 0 ? [] : prefix)], // the opening starts with the prefix itself
            [.. tokenizer.Encode(o.ExtendWith)],
            tokenizer.TokenToId(ChatTemplate.ThinkStart),
            opening
        );
    }

    /// <summary>The token to emit given the model's <paramref name="sampled"/> one; updates
    /// <paramref name="s"/>.</summary>
    public int Next(ThinkingState s, int sampled)
    {
        ArgumentNullException.ThrowIfNull(s);
        int emitted = Choose(s, sampled);
        if (emitted == thinkEnd)
        {
            s.Closed = true;
            s.ModelClosed |= emitted == sampled;
            // The model's own close: a forced answer opening follows it as it follows the budget's close.
            if (emitted == sampled)
                Enqueue(s, [emitted, .. answerOpening]);
        }
        else if (!s.Closed)
        {
            s.ReasoningTokens++;
        }
        return emitted;
    }

    /// <summary>Ids the next token must not be, given <paramref name="s"/>.</summary>
    public IReadOnlyList<int> Banned(ThinkingState s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (!s.Closed || s.Forced.Count > 0)
            return [];
        var banned = new List<int>(2);
        if (thinkStart is int start)
            banned.Add(start);
        if (s.ModelClosed)
            banned.Add(thinkEnd);
        return banned;
    }

    /// <summary>(B, V) additive mask: <paramref name="vocabMask"/> (V) with −∞ added at each row's banned ids, or
    /// <paramref name="vocabMask"/> itself when no row bans any.</summary>
    public static Tensor Exclusions(Tensor vocabMask, IReadOnlyList<IReadOnlyList<int>> banned)
    {
        ArgumentNullException.ThrowIfNull(vocabMask);
        ArgumentNullException.ThrowIfNull(banned);
        if (banned.All(b => b.Count == 0))
            return vocabMask;
        long vocab = vocabMask.shape[0];
        long[] at = [.. banned.SelectMany((ids, row) => ids.Select(id => row * vocab + id))]; // flat (row·V + id)
        using var scope = NewDisposeScope();
        using var s = new Scalars();
        var mask = vocabMask.unsqueeze(0).repeat(banned.Count, 1).flatten(); // (B·V)
        mask.index_fill_(0, tensor(at, device: vocabMask.device), s[double.NegativeInfinity]);
        return mask.view(banned.Count, vocab).MoveToOuterDisposeScope(); // (B, V)
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
