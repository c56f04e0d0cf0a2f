using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Generation;

/// <summary>Each row's sampling settings as host arrays (B): temperature (0 greedy), top-k (0 off), top-p (1 off),
/// min-p (0 off).</summary>
public sealed record RowSampling(float[] Temperatures, long[] TopKs, float[] TopPs, float[] MinPs)
{
    /// <summary>The same settings for <paramref name="rows"/> rows.</summary>
    public static RowSampling Uniform(int rows, double temperature, int topK = 0, double topP = 1, double minP = 0) =>
        new(
            Enumerable.Repeat((float)temperature, rows).ToArray(),
            Enumerable.Repeat((long)topK, rows).ToArray(),
            Enumerable.Repeat((float)topP, rows).ToArray(),
            Enumerable.Repeat((float)minP, rows).ToArray()
        );

    public static RowSampling Of(IReadOnlyList<RowSettings> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new(
            rows.Select(r => (float)r.Temperature).ToArray(),
            rows.Select(r => (long)r.TopK).ToArray(),
            rows.Select(r => (float)r.TopP).ToArray(),
            rows.Select(r => (float)r.MinP).ToArray()
        );
    }
}

/// <summary>
/// Chooses the next token of every row from its logits, each row with its own settings (continuous batching serves
/// requests with different temperatures and truncations in one batch). Pure: all randomness comes in as one uniform
/// number per row, so a row's choice depends on its own logits, settings and random stream only.
/// </summary>
public static class TokenPicker
{
    /// <param name="logits">(B, V) float32.</param>
    /// <param name="uniforms">(B) in (0, 1]; ignored by greedy rows.</param>
    /// <param name="exclude">(V), or (B, V) per row, additive mask: −∞ for ids that must never be chosen (a model's
    /// padded vocabulary rows, think markers after the reasoning closed). It restricts the choice only:
    /// log-probabilities are those of the model's full distribution, which is what a training forward pass computes
    /// for the same tokens.</param>
    /// <returns>Tokens (B) int64, and log-probabilities (B, V) of every token under each row's temperature-scaled
    /// distribution (plain log-softmax for greedy rows), to read the emitted tokens' from.</returns>
    public static (Tensor Tokens, Tensor LogProbs) Pick(
        Tensor logits,
        RowSampling settings,
        Tensor uniforms,
        Tensor? exclude = null
    )
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(uniforms);
        using var scope = NewDisposeScope();
        using var s = new Scalars();
        var device = logits.device;
        var choosable = exclude is null ? logits : logits.Plus(exclude); // (B, V)
        var greedyRows = settings.Temperatures.Select(t => t == 0).ToArray();
        var t = tensor(settings.Temperatures.Select(x => x == 0 ? 1f : x).ToArray(), device: device)
            .to(logits.dtype)
            .unsqueeze(-1); // (B, 1), 1 where greedy
        var logProbs = (logits / t).log_softmax(-1); // (B, V)
        Tensor tokens = choosable.argmax(-1); // (B)
        if (!greedyRows.All(g => g))
        {
            var truncated = Truncate(choosable / t, settings); // (B, V)
            var cdf = truncated.softmax(-1).cumsum(-1); // (B, V)
            // Inverse-CDF sampling: the first token whose cumulative probability reaches u·total.
            var target = uniforms.to(cdf.dtype).unsqueeze(-1) * cdf[.., ^1..]; // (B, 1)
            var sampled = (cdf < target).sum(-1).clamp_max(s[logits.shape[^1] - 1]); // (B)
            tokens = where(tensor(greedyRows, device: device), tokens, sampled); // (B)
        }
        return (tokens.MoveToOuterDisposeScope(), logProbs.MoveToOuterDisposeScope());
    }

    /// <summary>One setting for every row; returns the chosen tokens' log-probabilities (B).</summary>
    public static (Tensor Tokens, Tensor Logprobs) Pick(
        Tensor logits,
        double temperature,
        int topK,
        double topP,
        Tensor uniforms,
        Tensor? exclude = null
    )
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        var settings = RowSampling.Uniform((int)logits.shape[0], temperature, topK, topP);
        var (tokens, logProbs) = Pick(logits, settings, uniforms, exclude);
        var chosen = logProbs.gather(-1, tokens.unsqueeze(-1)).squeeze(-1); // (B)
        return (tokens.MoveToOuterDisposeScope(), chosen.MoveToOuterDisposeScope());
    }

    /// <summary>Sets logits outside each row's top-k, min-p and top-p sets to −∞; the best token is always kept.
    /// Top-k first; min-p keeps tokens with at least min-p times the best token's probability (a ratio, so the same
    /// set before or after top-k); top-p keeps the smallest nucleus reaching p of what those two keep.</summary>
    public static Tensor Truncate(Tensor logits, RowSampling settings)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(settings);
        long v = logits.shape[^1];
        bool useK = settings.TopKs.Any(k => k > 0 && k < v),
            useP = settings.TopPs.Any(p => p < 1),
            useMinP = settings.MinPs.Any(p => p > 0);
        if (!useK && !useP && !useMinP)
            return logits;
        using var scope = NewDisposeScope();
        using var s = new Scalars();
        var device = logits.device;
        var (sorted, order) = logits.sort(-1, descending: true); // (B, V)
        var drop = zeros_like(sorted, ScalarType.Bool); // (B, V) in sorted order
        if (useK)
        {
            var k = tensor(settings.TopKs.Select(x => x > 0 ? x : v).ToArray(), device: device).unsqueeze(-1);
            drop = TensorOps.Range(v, device).unsqueeze(0) >= k; // (B, V): rank beyond k
        }
        if (useP || useMinP)
        {
            var probs = sorted.masked_fill(drop, s[double.NegativeInfinity]).softmax(-1); // (B, V)
            if (useMinP)
            {
                var minP = tensor(settings.MinPs, device: device).to(probs.dtype).unsqueeze(-1); // (B, 1)
                drop = drop | (probs < probs[.., ..1] * minP);
                probs = sorted.masked_fill(drop, s[double.NegativeInfinity]).softmax(-1);
            }
            if (useP)
            {
                var topP = tensor(settings.TopPs, device: device).to(probs.dtype).unsqueeze(-1); // (B, 1)
                var before = probs.cumsum(-1) - probs; // mass of better tokens; the best has 0
                drop = drop | ((before >= topP) & topP.lt(s[1]));
            }
        }
        var dropInVocabOrder = zeros_like(drop).scatter(-1, order, drop); // (B, V)
        return logits.masked_fill(dropInVocabOrder, s[double.NegativeInfinity]).MoveToOuterDisposeScope();
    }

    /// <summary>One top-k and top-p for every row (see <see cref="Truncate(Tensor, RowSampling)"/>).</summary>
    public static Tensor Truncate(Tensor logits, int topK, double topP)
    {
        ArgumentNullException.ThrowIfNull(logits);
        return Truncate(logits, RowSampling.Uniform((int)logits.shape[0], 1, topK, topP));
    }
}
