// GSPO — Zheng et al. 2025, "Group Sequence Policy Optimization" (Qwen3's RL objective).
//   s_i = (π_θ(o_i|q) / π_old(o_i|q))^(1/|o_i|) = exp((1/|o_i|) Σ_t (log π_θ − log π_old))   (sequence-level ratio)
//   J = (1/G) Σ_i min(s_i·Â_i, clip(s_i, 1−ε_low, 1+ε_high)·Â_i),  Â_i as GRPO (group mean and std)
// The clip range is the paper's (ε_low 3e-4, ε_high 4e-4: a length-normalised ratio moves little), set by the preset.
// Deviations: β·(1/|o_i|) Σ_t KL_t may be added per sequence (the paper has no KL); off-policy weights must be
// sequence-level (one weight per completion multiplies its term).
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Algorithms;

public sealed class Gspo : IPolicyAlgorithm
{
    public string Name => "gspo";
    public bool GroupRelative => true;

    public double Normalizer(StepShape shape) => shape.Completions; // the 1/G mean over every completion

    public double[] Advantages(IReadOnlyList<double> rewards, int groupSize) =>
        PolicyMath.GroupMeanCentered(rewards, groupSize, divideByStd: true);

    public PolicyLoss Loss(PolicyBatch b, PolicyOptions o)
    {
        using var s = new Scalars();
        var lengths = b.Mask.sum(1).clamp_min(s[1]); // (B)
        var logRatio = PolicyMath.MaskedRowSum(b.Logprobs - b.OldLogprobs, b.Mask) / lengths; // (B)
        var ratio = logRatio.exp(); // s_i: (B)
        var unclipped = ratio * b.Advantages;
        var clipped = ratio.clamp(s[1 - o.EpsLow], s[1 + o.EpsHigh]) * b.Advantages;
        var perSequence = -minimum(unclipped, clipped); // (B)
        if (b.IsWeights is not null)
            perSequence = perSequence * b.IsWeights.select(1, 0); // (B): one weight per completion
        var kl = KlTerm.InLoss(b, o); // (B, T) or null
        if (kl is not null)
            perSequence = perSequence.Plus(PolicyMath.MaskedRowSum(kl, b.Mask) / lengths * s[o.Beta]);
        var loss = perSequence.sum() / s[b.Normalizer];
        var wasClipped = (clipped < unclipped).to(b.Logprobs.dtype).unsqueeze(1).expand_as(b.Mask); // (B, T)
        return KlTerm.Report(loss, wasClipped, kl, b);
    }
}
