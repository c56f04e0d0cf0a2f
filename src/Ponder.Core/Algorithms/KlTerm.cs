using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Algorithms;

/// <summary>The KL penalty against the reference policy, where the options place it.</summary>
public static class KlTerm
{
    /// <summary>Per-token KL for the loss (B, T), or null when β = 0 or the KL goes into the reward.</summary>
    public static Tensor? InLoss(PolicyBatch b, PolicyOptions o)
    {
        if (o.Beta == 0 || o.Placement != KlPlacement.Loss)
            return null;
        var reference =
            b.RefLogprobs ?? throw new PonderException("β > 0 with the KL in the loss needs reference log-probs.");
        return o.Estimator == KlEstimator.K3
            ? PolicyMath.K3(b.Logprobs, reference)
            : PolicyMath.K1(b.Logprobs, reference);
    }

    /// <summary>Sequence KL to subtract from each reward (β·Σ_t k), for KL placed in the reward: (B).</summary>
    public static double[] ForReward(Tensor logprobs, Tensor refLogprobs, Tensor mask, PolicyOptions o)
    {
        using var scope = NewDisposeScope();
        using var s = new Scalars();
        var k =
            o.Estimator == KlEstimator.K3 ? PolicyMath.K3(logprobs, refLogprobs) : PolicyMath.K1(logprobs, refLogprobs);
        return (PolicyMath.MaskedRowSum(k, mask) * s[o.Beta]).to(ScalarType.Float64).data<double>().ToArray();
    }

    internal static PolicyLoss Report(Tensor loss, Tensor clipped, Tensor? kl, PolicyBatch b)
    {
        using var _ = no_grad();
        double klMean = kl is null ? 0 : PolicyMath.MaskedMean(kl, b.Mask);
        double ratio = PolicyMath.MaskedMean((b.Logprobs - b.OldLogprobs).exp(), b.Mask);
        return new PolicyLoss(loss, PolicyMath.MaskedMean(clipped, b.Mask), klMean, ratio);
    }
}
