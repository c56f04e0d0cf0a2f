using Ponder.Algorithms;
using Ponder.Rollouts;
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Reinforcement;

/// <summary>
/// The rollout engine as the behaviour policy μ: its per-token log-probs against the trainer's π_old, as importance
/// weights (TIS/MIS, TRL's <c>vllm_importance_sampling_*</c>) and as the mismatch logged every step. The engine
/// decodes with other kernels (fused projections, a KV cache) and may run other weights (a fleet, an older version),
/// so log μ ≠ log π_old even on-policy.
/// </summary>
public static class OffPolicy
{
    /// <summary>log μ (B, T−1) of the rows' completion tokens, laid out as <see cref="RolloutTensors.Build"/>'s mask
    /// (0 elsewhere); null when a row has no log-probs (they were not returned).</summary>
    public static Tensor? Behaviour(IReadOnlyList<Rollout> rows, Device device)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Any(r => r.Completion.Logprobs.Count != r.Completion.TokenIds.Count))
            return null;
        int b = rows.Count;
        int t = rows.Max(r => r.Completion.PromptIds.Count + r.Completion.TokenIds.Count);
        var values = new float[b * (t - 1)];
        for (int i = 0; i < b; i++)
        {
            var c = rows[i].Completion;
            for (int j = 0; j < c.TokenIds.Count; j++)
                values[i * (t - 1) + c.PromptIds.Count + j - 1] = c.Logprobs[j];
        }
        return tensor(values, [b, t - 1], device: device);
    }

    /// <summary>The importance weights π_old / μ, (B, T) per token or (B, 1) per sequence (exp of the summed log
    /// ratio), truncated at the cap (TIS) or zeroed above it (MIS), and the share of weights the cap changed; null
    /// weights for <see cref="IsCorrection.None"/>.</summary>
    public static (Tensor? Weights, double Capped) Weights(
        Tensor oldLogprobs,
        Tensor behaviour,
        Tensor mask,
        PolicyOptions o
    )
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Correction == IsCorrection.None)
            return (null, 0);
        using var s = new Scalars();
        var diff = (oldLogprobs.detach() - behaviour) * mask; // (B, T)
        var ratio = (o.IsLevel == IsLevel.Sequence ? diff.sum(1, keepdim: true) : diff).exp(); // (B, 1) or (B, T)
        var over = ratio > s[o.IsCap];
        var weights = o.Correction == IsCorrection.Tis ? ratio.clamp_max(s[o.IsCap]) : ratio.masked_fill(over, s[0]);
        var counted = o.IsLevel == IsLevel.Sequence ? (mask.sum(1, keepdim: true) > s[0]).to(mask.dtype) : mask;
        double capped = PolicyMath.MaskedMean(over.to(mask.dtype), counted);
        return (weights, capped);
    }

    /// <summary>Mean |log π_old − log μ| over completion tokens, and the KL(μ ‖ π_old) estimate k3 = r − log r − 1
    /// with r = π_old / μ (unbiased under μ's samples, never negative).</summary>
    public static (double MeanAbsDiff, double Kl) Mismatch(Tensor oldLogprobs, Tensor behaviour, Tensor mask)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var diff = oldLogprobs.detach() - behaviour; // log r: (B, T)
        return (
            PolicyMath.MaskedMean(diff.abs(), mask),
            PolicyMath.MaskedMean(PolicyMath.K3(behaviour, oldLogprobs.detach()), mask)
        );
    }
}
