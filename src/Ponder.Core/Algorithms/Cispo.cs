// CISPO — MiniMax 2025, "MiniMax-M1" §3.1 (clipped IS-weight policy optimisation); ScaleRL (Khatri et al. 2025).
//   J = (1/Σ_i|o_i|) Σ_i Σ_t sg(min(ρ_i,t, 1+ε_high)) · Â_i · log π_θ(o_i,t),  ρ = π_θ / π_old
// Unlike PPO's clip, which zeroes the gradient of clipped tokens, the weight is clipped and every token keeps its
// gradient (rare "fork" tokens with large ratios still learn). Â_i as GRPO (group mean and std).
// Deviations: no lower bound on the weight (M1 sets ε_low large; ScaleRL and TRL clip from above only); the preset's
// ε_high 4 makes the cap 5, ScaleRL's ε_max; the KL term (β) may be added per token.
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Algorithms;

public sealed class Cispo : IPolicyAlgorithm
{
    public string Name => "cispo";
    public bool GroupRelative => true;

    public double Normalizer(StepShape shape) => Math.Max(1, shape.CompletionTokens); // Σ_i |o_i| of the step

    public double[] Advantages(IReadOnlyList<double> rewards, int groupSize) =>
        PolicyMath.GroupMeanCentered(rewards, groupSize, divideByStd: true);

    public PolicyLoss Loss(PolicyBatch b, PolicyOptions o)
    {
        using var s = new Scalars();
        var ratio = (b.Logprobs - b.OldLogprobs).exp().detach(); // (B, T), no gradient
        var weight = ratio.clamp_max(s[1 + o.EpsHigh]); // sg(min(ρ, 1+ε_high))
        var perToken = -(weight * b.Advantages.unsqueeze(1) * b.Logprobs); // (B, T)
        perToken = PolicyMath.Corrected(perToken, b);
        var kl = KlTerm.InLoss(b, o);
        if (kl is not null)
            perToken = perToken.Plus(kl * s[o.Beta]);
        var loss = (perToken * b.Mask).sum() / s[b.Normalizer]; // Σ tokens / Σ|o_i| of the step
        var wasClipped = (ratio > s[1 + o.EpsHigh]).to(b.Logprobs.dtype); // (B, T)
        return KlTerm.Report(loss, wasClipped, kl, b);
    }
}
