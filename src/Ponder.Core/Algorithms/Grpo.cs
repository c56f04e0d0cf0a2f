// GRPO — Shao et al. 2024, "DeepSeekMath", eq. 3 (outcome supervision).
//   Â_i = (r_i − mean(r)) / std(r) within the group;  J = (1/G) Σ_i (1/|o_i|) Σ_t [min(ρÂ, clip(ρ,1±ε)Â) − β·KL_t]
// Deviations from the paper:
//   - std is the sample std (n − 1) plus ε = 1e-4, as DeepSeekMath's and TRL's code do (all-equal rewards → Â = 0).
//   - the outer 1/G mean runs over every completion of the optimizer step (Normalizer = completions in the step),
//     so micro-batches sum to the full-batch loss.
//   - KL may use k1 instead of k3, or go into the reward (PolicyOptions); the paper uses k3 in the loss.
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Algorithms;

public sealed class Grpo : IPolicyAlgorithm
{
    public string Name => "grpo";
    public bool GroupRelative => true;

    public double Normalizer(StepShape shape) => shape.Completions; // the outer 1/G mean over every completion

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
        var kl = KlTerm.InLoss(b, o); // (B, T) or null
        if (kl is not null)
            perToken = perToken.Plus(kl * s[o.Beta]);
        var perSequence = PolicyMath.MaskedRowSum(perToken, b.Mask) / b.Mask.sum(1).clamp_min(s[1]); // (1/|o_i|) Σ_t
        var loss = perSequence.sum() / s[b.Normalizer];
        return KlTerm.Report(loss, clipped, kl, b);
    }
}
