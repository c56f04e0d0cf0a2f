using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Algorithms;

/// <summary>The shared pieces every policy objective is built from; each algorithm file composes them on one
/// screen.</summary>
public static class PolicyMath
{
    /// <summary>PPO's clipped surrogate, per token, as a quantity to MINIMISE:
    /// −min(ρ·Â, clip(ρ, 1−ε_low, 1+ε_high)·Â) with ρ = exp(logπ_θ − logπ_old).</summary>
    /// <returns>Per-token loss (B, T) and the clipped indicator (B, T) as float.</returns>
    public static (Tensor Loss, Tensor Clipped) ClippedSurrogate(
        Tensor logprobs,
        Tensor oldLogprobs,
        Tensor advantages,
        double epsLow,
        double epsHigh
    )
    {
        using var s = new Scalars();
        var ratio = (logprobs - oldLogprobs).exp(); // (B, T)
        var adv = advantages.unsqueeze(1); // (B, 1)
        var unclipped = ratio * adv;
        var clipped = ratio.clamp(s[1 - epsLow], s[1 + epsHigh]) * adv;
        var loss = -minimum(unclipped, clipped); // (B, T)
        var wasClipped = (clipped < unclipped).to(ratio.dtype); // the clip bound was the active one
        return (loss, wasClipped);
    }

    /// <summary>The per-token loss (B, T) times the batch's off-policy weights, if it has any (before the KL term,
    /// which is not reweighted: TRL's order).</summary>
    public static Tensor Corrected(Tensor perToken, PolicyBatch b) =>
        b.IsWeights is null ? perToken : perToken * b.IsWeights;

    /// <summary>k1 = log π_θ − log π_ref (per token). Unbiased; in the reward it is the usual RLHF penalty.</summary>
    public static Tensor K1(Tensor logprobs, Tensor refLogprobs) => logprobs - refLogprobs;

    /// <summary>k3 = π_ref/π_θ − log(π_ref/π_θ) − 1 (per token, ≥ 0): GRPO's in-loss estimator.</summary>
    public static Tensor K3(Tensor logprobs, Tensor refLogprobs)
    {
        using var s = new Scalars();
        var logRatio = refLogprobs - logprobs;
        return logRatio.exp() - logRatio - s[1];
    }

    /// <summary>Σ_t x·mask per row: (B).</summary>
    public static Tensor MaskedRowSum(Tensor x, Tensor mask) => (x * mask).sum(1);

    /// <summary>Mean of x over masked tokens, for logging.</summary>
    public static double MaskedMean(Tensor x, Tensor mask)
    {
        using var s = new Scalars();
        return ((x * mask).sum() / mask.sum().clamp_min(s[1])).to(ScalarType.Float64).item<double>();
    }

    /// <summary>Group-relative baselines: rewards laid out group after group (G each).</summary>
    public static double[] GroupMeanCentered(
        IReadOnlyList<double> rewards,
        int groupSize,
        bool divideByStd,
        double eps = 1e-4
    )
    {
        var advantages = new double[rewards.Count];
        foreach (var (start, group) in Groups(rewards, groupSize))
        {
            if (AllEqual(group))
                continue; // exactly 0: the mean of eight 0.1s is 0.09999999999999999, not 0.1
            double mean = group.Average();
            // Sample std (n − 1), as torch.std and DeepSeekMath's implementation use.
            double std = Math.Sqrt(group.Sum(r => (r - mean) * (r - mean)) / Math.Max(1, group.Length - 1));
            for (int i = 0; i < group.Length; i++)
                advantages[start + i] = divideByStd ? (group[i] - mean) / (std + eps) : group[i] - mean;
        }
        return advantages;
    }

    /// <summary>Whether a group's rewards are all the same (no learning signal: every advantage is exactly
    /// 0).</summary>
    public static bool AllEqual(IReadOnlyList<double> rewards) => rewards.All(r => r == rewards[0]);

    public static IEnumerable<(int Start, double[] Rewards)> Groups(IReadOnlyList<double> rewards, int groupSize)
    {
        if (groupSize < 1 || rewards.Count % groupSize != 0)
            throw new PonderException($"{rewards.Count} rewards do not split into groups of {groupSize}.");
        for (int start = 0; start < rewards.Count; start += groupSize)
            yield return (start, rewards.Skip(start).Take(groupSize).ToArray());
    }
}
