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

/// <summary>How the loss corrects for rollouts sampled by another engine (or older weights) than the trainer's:
/// none; truncated importance sampling (weights capped at C); masked importance sampling (weights above C zeroed).
/// </summary>
public enum IsCorrection
{
    None,
    Tis,
    Mis,
}

/// <summary>One importance weight per token, or one per completion (the product of its tokens' ratios).</summary>
public enum IsLevel
{
    Token,
    Sequence,
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

    /// <summary>Correction for the rollout engine's log-probs differing from the trainer's (the behaviour policy μ).
    /// <value>The default value is None.</value></summary>
    public IsCorrection Correction { get; init; } = IsCorrection.None;

    /// <summary>The cap C of the importance weights π_old / μ. <value>The default value is 3 (TRL's).</value></summary>
    public double IsCap { get; init; } = 3.0;

    /// <summary><value>The default value is Sequence (TRL's default: sequence-level masking).</value></summary>
    public IsLevel IsLevel { get; init; } = IsLevel.Sequence;
}
