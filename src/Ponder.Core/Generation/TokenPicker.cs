using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Generation;

/// <summary>
/// Chooses the next token of every row from its logits. Pure: all randomness comes in as one uniform number per
/// row, so a row's choice depends on its own logits and its own random stream only.
/// </summary>
public static class TokenPicker
{
    /// <param name="logits">(B, V) float32.</param>
    /// <param name="uniforms">(B) in (0, 1]; ignored when greedy.</param>
    /// <param name="exclude">(V), or (B, V) per row, additive mask: −∞ for ids that must never be chosen (a model's
    /// padded vocabulary rows, think markers after the reasoning closed). It restricts the choice only:
    /// log-probabilities are those of the model's full distribution, which is what a training forward pass computes
    /// for the same tokens.</param>
    /// <returns>Tokens (B) int64 and their log-probabilities (B) under the (temperature-scaled) distribution.</returns>
    public static (Tensor Tokens, Tensor Logprobs) Pick(
        Tensor logits,
        double temperature,
        int topK,
        double topP,
        Tensor uniforms,
        Tensor? exclude = null
    )
    {
        using var scope = NewDisposeScope();
        using var s = new Scalars();
        Tensor tokens,
            logprobs;
        var choosable = exclude is null ? logits : logits.Plus(exclude); // (B, V)
        if (temperature == 0)
        {
            tokens = choosable.argmax(-1); // (B)
            logprobs = logits.log_softmax(-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1); // (B)
        }
        else
        {
            var scaled = logits / s[temperature]; // (B, V)
            var truncated = Truncate(choosable / s[temperature], topK, topP); // (B, V), -inf outside
            var probs = truncated.softmax(-1); // (B, V)
            // Inverse-CDF sampling: the first token whose cumulative probability reaches u·total.
            var cdf = probs.cumsum(-1); // (B, V)
            var target = uniforms.to(cdf.dtype).unsqueeze(-1) * cdf[.., ^1..]; // (B, 1)
            tokens = (cdf < target).sum(-1).clamp_max(s[logits.shape[^1] - 1]); // (B)
            logprobs = scaled.log_softmax(-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
        }
        return (tokens.MoveToOuterDisposeScope(), logprobs.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Per-row settings (continuous batching serves requests with different temperatures and nuclei in one batch).
    /// Each row's choice and log-probability equal what
    /// <see cref="Pick(Tensor, double, int, double, Tensor, Tensor?)"/> gives for that row with its own scalars.
    /// </summary>
    /// <param name="temperatures">(B) float32; 0 is greedy for that row.</param>
    /// <param name="topPs">(B) float32 in (0, 1]; 1 is off.</param>
    public static (Tensor Tokens, Tensor Logprobs) Pick(
        Tensor logits,
        Tensor temperatures,
        Tensor topPs,
        Tensor uniforms,
        Tensor? exclude = null
    )
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(temperatures);
        ArgumentNullException.ThrowIfNull(topPs);
        ArgumentNullException.ThrowIfNull(uniforms);
        using var scope = NewDisposeScope();
        using var s = new Scalars();
        var choosable = exclude is null ? logits : logits.Plus(exclude); // (B, V)
        var greedy = temperatures.eq(s[0]); // (B)
        var t = temperatures.masked_fill(greedy, s[1]).to(logits.dtype).unsqueeze(-1); // (B, 1), 1 where greedy
        var greedyTokens = choosable.argmax(-1); // (B)
        var scaled = logits / t; // (B, V)
        var truncated = TruncateTopP(choosable / t, topPs.to(logits.dtype).unsqueeze(-1)); // (B, V)
        var cdf = truncated.softmax(-1).cumsum(-1); // (B, V)
        var target = uniforms.to(cdf.dtype).unsqueeze(-1) * cdf[.., ^1..]; // (B, 1)
        var sampled = (cdf < target).sum(-1).clamp_max(s[logits.shape[^1] - 1]); // (B)
        var tokens = where(greedy, greedyTokens, sampled); // (B)
        var logprobs = scaled.log_softmax(-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1); // (B)
        return (tokens.MoveToOuterDisposeScope(), logprobs.MoveToOuterDisposeScope());
    }

    /// <summary>Top-p truncation with a per-row nucleus (B, 1); rows with 1 keep everything.</summary>
    static Tensor TruncateTopP(Tensor logits, Tensor topP)
    {
        using var s = new Scalars();
        var (sorted, order) = logits.sort(-1, descending: true); // (B, V)
        var probs = sorted.softmax(-1);
        var before = probs.cumsum(-1) - probs; // mass of better tokens
        var drop = (before >= topP) & topP.lt(s[1]); // (B, V) in sorted order
        return logits.masked_fill(zeros_like(drop).scatter(-1, order, drop), s[double.NegativeInfinity]);
    }

    /// <summary>Sets logits outside the top-k and outside the top-p nucleus to −∞ (always keeps the best
    /// token).</summary>
    public static Tensor Truncate(Tensor logits, int topK, double topP)
    {
        long v = logits.shape[^1];
        bool useK = topK > 0 && topK < v,
            useP = topP < 1.0;
        if (!useK && !useP)
            return logits;
        using var scope = NewDisposeScope();
        using var s = new Scalars();
        var (sorted, order) = logits.sort(-1, descending: true); // (B, V)
        var drop = zeros_like(sorted, ScalarType.Bool); // (B, V) in sorted order
        if (useK)
            drop[.., topK..] = true;
        if (useP)
        {
            var probs = sorted.masked_fill(drop, s[double.NegativeInfinity]).softmax(-1);
            var before = probs.cumsum(-1) - probs; // mass of better tokens
            drop = drop | (before >= s[topP]); // the best token has 0 before it
        }
        var dropInVocabOrder = zeros_like(drop).scatter(-1, order, drop); // (B, V)
        return logits.masked_fill(dropInVocabOrder, s[double.NegativeInfinity]).MoveToOuterDisposeScope();
    }
}
