// RLOO — Ahmadian et al. 2024, "Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human
// Feedback in LLMs" (after Kool et al. 2019).
//   Â_i = r_i − (1/(G−1)) Σ_{j≠i} r_j  (leave-one-out baseline: unbiased, no critic).
// Deviations: the REINFORCE term is wrapped in the PPO clipped ratio (identical to plain REINFORCE when μ = 1, since
// ρ = 1 then) and normalised per completion like GRPO, as TRL's RLOOTrainer does.
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Algorithms;

public sealed class Rloo : IPolicyAlgorithm
{
    public string Name => "rloo";
    public bool GroupRelative => true;

    public double Normalizer(StepShape shape) => shape.Completions; // per completion, as GRPO

    public double[] Advantages(IReadOnlyList<double> rewards, int groupSize)
    {
        var advantages = new double[rewards.Count];
        foreach (var (start, group) in PolicyMath.Groups(rewards, groupSize))
        {
            if (PolicyMath.AllEqual(group))
                continue; // exactly 0 (0.1 − mean of 0.1s is not 0 in floating point)
            double sum = group.Sum();
            for (int i = 0; i < group.Length; i++)
                advantages[start + i] = group[i] - (sum - group[i]) / (group.Length - 1);
        }
        return advantages;
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
        var perSequence = PolicyMath.MaskedRowSum(perToken, b.Mask) / b.Mask.sum(1).clamp_min(s[1]);
        var loss = perSequence.sum() / s[b.Normalizer];
        return KlTerm.Report(loss, clipped, kl, b);
    }
}
