namespace Ponder.Algorithms;

/// <summary>Which KL estimator, and where the KL penalty goes.</summary>
public enum KlEstimator
{
    K1,
    K3,
}

/// <summary>KL in the loss (GRPO) or subtracted from the reward before advantages (PPO-RLHF, TinyZero).</summary>
public enum KlPlacement
{
    Loss,
    Reward,
}

/// <summary>Settings of the policy loss. Immutable; validated by the RL options that hold it.</summary>
public sealed record PolicyOptions
{
    /// <summary>Lower clip ε: ratios below 1 − ε_low stop contributing. <value>The default value is
    /// 0.2.</value></summary>
    public double EpsLow { get; init; } = 0.2;

    /// <summary>Upper clip ε (DAPO's clip-higher raises it to 0.28). <value>The default value is 0.2.</value></summary>
    public double EpsHigh { get; init; } = 0.2;

    /// <summary>KL coefficient β against the frozen reference (0: no reference model is kept).
    /// <value>The default value is 0.</value></summary>
    public double Beta { get; init; }

    /// <summary><value>The default value is K3.</value></summary>
    public KlEstimator Estimator { get; init; } = KlEstimator.K3;

    /// <summary><value>The default value is Loss.</value></summary>
    public KlPlacement Placement { get; init; } = KlPlacement.Loss;
}
