// REINFORCE++ — Hu et al. 2025, "REINFORCE++: A Simple and Efficient Approach for Aligning Large Language Models"
// (OpenRLHF). No critic; PPO's clipped surrogate with advantages whitened over the whole batch:
//   reinforce++:           Â_i = (r_i − mean_batch(r)) / std_batch(r)             (G may be 1)
//   reinforce++-baseline:  Â_i = (r_i − mean_group(r)) / std_batch(r − mean_group) (group-relative)
// Token-level normalisation: Σ_i Σ_t surrogate / Σ_i |o_i| over the step.
// Deviations: whitening is over completions (sequence rewards), not over tokens; the std is the population std plus
// 1e-8 and an all-equal batch gives 0; the baseline variant does not re-centre after the group means (their mean is
// already 0), so a group whose rewards are all equal keeps advantage exactly 0 and is skipped like GRPO's. The KL goes
// where PolicyOptions puts it (the paper puts k1 in the reward: --kl-in reward --kl-estimator k1).
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Algorithms;

public sealed class ReinforcePlusPlus(bool groupBaseline) : IPolicyAlgorithm
{
    public string Name => groupBaseline ? "reinforce++-baseline" : "reinforce++";
    public bool GroupRelative => groupBaseline;

    public double Normalizer(StepShape shape) => Math.Max(1, shape.CompletionTokens); // Σ_i |o_i| of the step

    public double[] Advantages(IReadOnlyList<double> rewards, int groupSize)
    {
        double[] centred = groupBaseline
            ? PolicyMath.GroupMeanCentered(rewards, groupSize, divideByStd: false)
            : rewards.Select(r => r - rewards.Average()).ToArray();
        if (!groupBaseline && PolicyMath.AllEqual(rewards))
            return new double[rewards.Count]; // exactly 0
        double mean = groupBaseline ? 0 : centred.Average();
        double std = Math.Sqrt(centred.Sum(a => (a - mean) * (a - mean)) / centred.Length);
        return std == 0 ? centred : centred.Select(a => a / (std + 1e-8)).ToArray();
    }

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
}
