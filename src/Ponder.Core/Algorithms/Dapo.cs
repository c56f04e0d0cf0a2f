// DAPO — Yu et al. 2025, "DAPO: An Open-Source LLM Reinforcement Learning System at Scale".
//   Clip-higher: ε_low = 0.2, ε_high = 0.28 (set by the caller through PolicyOptions).
//   Token-level loss: Σ_i Σ_t surrogate / Σ_i |o_i| over the whole step, so long completions weigh per token.
//   Dynamic sampling: groups whose rewards are all equal carry no signal; the trainer drops them and samples more.
//   Soft overlong punishment: SoftOverlongPenalty below, added to the reward.
//   Advantages as GRPO (group mean and std).
// Deviations: the KL term is allowed (β > 0) although DAPO removes it; β defaults to 0.
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Algorithms;

public sealed class Dapo : IPolicyAlgorithm
{
    public string Name => "dapo";
    public bool GroupRelative => true;

    public double Normalizer(StepShape shape) => Math.Max(1, shape.CompletionTokens); // Σ_i |o_i| of the step

    public double[] Advantages(IReadOnlyList<double> rewards, int groupSize) =>
        PolicyMath.GroupMeanCentered(rewards, groupSize, divideByStd: true);

    public PolicyLoss Loss(PolicyBatch b, PolicyOptions o)
    {
        using var s = new Scalars();
        var (perToken, clipped) = PolicyMath.ClippedSurrogate(
            b.Logprobs,
            b.OldLogprobs,
            b.Advantages,
            o.EpsLow,
            o.EpsHigh
        );
        perToken = PolicyMath.Corrected(perToken, b);
        var kl = KlTerm.InLoss(b, o);
        if (kl is not null)
            perToken = perToken.Plus(kl * s[o.Beta]);
        var loss = (perToken * b.Mask).sum() / s[b.Normalizer]; // Σ tokens / Σ|o_i| of the step
        return KlTerm.Report(loss, clipped, kl, b);
    }

    /// <summary>DAPO eq. 13: 0 up to L_max − L_cache tokens, then falling linearly to −1 at L_max, −1 beyond.</summary>
    public static double SoftOverlongPenalty(int length, int maxLength, int cacheLength)
    {
        int free = maxLength - cacheLength;
        if (length <= free)
            return 0;
        if (length <= maxLength)
            return (free - length) / (double)cacheLength;
        return -1;
    }

    /// <summary>Whether a group carries a learning signal (its rewards are not all equal).</summary>
    public static bool HasSignal(IReadOnlyList<double> groupRewards) => !PolicyMath.AllEqual(groupRewards);
}
