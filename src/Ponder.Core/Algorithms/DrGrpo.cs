// Dr. GRPO — Liu et al. 2025, "Understanding R1-Zero-Like Training: A Critical Perspective".
//   Â_i = r_i − mean(r) (no std division: it up-weights too easy and too hard questions);
//   loss = Σ_i Σ_t clipped-surrogate / (completions × max completion length) — no 1/|o_i|, which rewarded long
//   wrong answers with smaller per-token penalties.
// Deviations: none beyond the step-wide normaliser (completions of the step × max completion tokens).
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Algorithms;

public sealed class DrGrpo : IPolicyAlgorithm
{
    public string Name => "drgrpo";
    public bool GroupRelative => true;

    public double Normalizer(StepShape shape) => shape.Completions * (double)shape.MaxCompletionTokens; // a constant

    public double[] Advantages(IReadOnlyList<double> rewards, int groupSize) =>
        PolicyMath.GroupMeanCentered(rewards, groupSize, divideByStd: false);

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
        var loss = (perToken * b.Mask).sum() / s[b.Normalizer]; // constant denominator
        return KlTerm.Report(loss, clipped, kl, b);
    }
}
