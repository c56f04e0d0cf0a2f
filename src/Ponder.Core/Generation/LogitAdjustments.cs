using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Generation;

/// <summary>OpenAI's per-request logit settings for one sequence. Immutable.</summary>
/// <param name="FrequencyPenalty">Subtracted once per earlier occurrence of a token; range [−2, 2], 0 is off.</param>
/// <param name="PresencePenalty">Subtracted once from every token that occurred at all; range [−2, 2], 0 is
/// off.</param>
/// <param name="Bias">Token id → added to its logit; range [−100, 100] (−100 in effect bans the token, +100 forces
/// it). Empty is off.</param>
public sealed record LogitAdjustment(
    double FrequencyPenalty,
    double PresencePenalty,
    IReadOnlyDictionary<int, double> Bias
)
{
    /// <summary>No penalty and no bias: the logits are left exactly as the model made them.</summary>
    public static LogitAdjustment None { get; } = new(0, 0, new Dictionary<int, double>());

    public bool IsNone => FrequencyPenalty == 0 && PresencePenalty == 0 && Bias.Count == 0;
}

/// <summary>
/// Frequency and presence penalties and logit bias, as OpenAI defines them: for token j of a row,
/// <c>logits[j] − c[j]·frequency − (c[j] &gt; 0)·presence + bias[j]</c>, where c[j] counts j among the tokens that
/// row has generated so far (not its prompt). Applied to the logits before temperature, top-p and the choice.
/// </summary>
public static class LogitAdjustments
{
    /// <param name="logits">(B, V) next-token logits.</param>
    /// <param name="adjustments">(B) each row's settings.</param>
    /// <param name="counts">(B) each row's generated tokens: id → occurrences.</param>
    /// <returns>(B, V) the adjusted logits as a new tensor; <paramref name="logits"/> itself when no row has an
    /// adjustment, so a batch without them decodes exactly as before.</returns>
    public static Tensor Apply(
        Tensor logits,
        IReadOnlyList<LogitAdjustment> adjustments,
        IReadOnlyList<IReadOnlyDictionary<int, int>> counts
    )
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(adjustments);
        ArgumentNullException.ThrowIfNull(counts);
        long vocab = logits.shape[^1];
        var at = new List<long>(); // flat (row·V + id) positions to move
        var by = new List<float>();
        for (int r = 0; r < adjustments.Count; r++)
        {
            if (adjustments[r].IsNone)
                continue;
            foreach (var (id, offset) in Offsets(adjustments[r], counts[r]))
            {
                at.Add(r * vocab + id);
                by.Add((float)offset);
            }
        }
        if (at.Count == 0)
            return logits;
        // Only the few touched entries are sent to the device; the rest of the delta is exact zeros, and x + 0 is x,
        // so rows without an adjustment keep their logits bit for bit.
        using var scope = NewDisposeScope();
        var delta = zeros(logits.numel(), logits.dtype, logits.device); // (B·V)
        delta.index_put_(
            tensor(by.ToArray(), device: logits.device).to(logits.dtype),
            tensor(at.ToArray(), device: logits.device)
        );
        return logits.Plus(delta.view(logits.shape)).MoveToOuterDisposeScope(); // (B, V)
    }

    /// <summary>One row's offsets: id → bias − count·frequency − presence, over the biased and generated ids.</summary>
    static Dictionary<int, double> Offsets(LogitAdjustment a, IReadOnlyDictionary<int, int> counts)
    {
        var offsets = new Dictionary<int, double>(a.Bias);
        if (a.FrequencyPenalty == 0 && a.PresencePenalty == 0)
            return offsets;
        foreach (var (id, count) in counts)
        {
            if (count > 0)
                offsets[id] = offsets.GetValueOrDefault(id) - count * a.FrequencyPenalty - a.PresencePenalty;
        }
        return offsets;
    }
}
