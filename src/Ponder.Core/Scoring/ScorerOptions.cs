namespace Ponder.Scoring;

/// <summary>How the scorer is trained. Immutable; <see cref="Validate"/> says what to change.</summary>
public sealed record ScorerOptions
{
    /// <summary>Optimizer steps (with the default data, 64 problems × 8 samples, about four epochs).
    /// <value>The default value is 100.</value></summary>
    public int Steps { get; init; } = 100;

    /// <summary>Sequences per step. <value>The default value is 16.</value></summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak learning rate of the head (and of the body with <see cref="TrainBody"/>, where 3e-4 suits a ~5M
    /// policy); the two confidence weights learn at <see cref="ScorerTrainer.ConfidenceRateScale"/> times it.
    /// <value>The default value is 1e-3.</value></summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Linear warm-up steps before the cosine decay. <value>The default value is 10.</value></summary>
    public int WarmupSteps { get; init; } = 10;

    /// <summary>Decoupled weight decay. <value>The default value is 0.</value></summary>
    public double WeightDecay { get; init; }

    /// <summary>Gradient clipping norm. <value>The default value is 1.0.</value></summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Tokens scored at most (prompt + completion; longer inputs keep their end). <value>The default value is
    /// 1024.</value></summary>
    public int MaxLength { get; init; } = 1024;

    /// <summary>Train every completion position on the outcome label (Cobbe et al. 2021's token-level verifier), not
    /// only the last one; the score is the last position's either way. Off by default: re-ranking reads only the last
    /// position, and a per-position target teaches mostly which problems are hard.
    /// <value>The default value is false.</value></summary>
    public bool EveryToken { get; init; }

    /// <summary>Fine-tune the body too (with a lower learning rate, e.g. <c>--lr 3e-4</c>). Off by default: with the
    /// body frozen the scorer is a cheap probe of the policy's hidden states and its own likelihood, while fine-tuning
    /// millions of parameters on a few thousand labels can fit the training samples instead.
    /// <value>The default value is false.</value></summary>
    public bool TrainBody { get; init; }

    /// <summary>Fine-tune the body through LoRA adapters instead of every weight (implies training the body); the
    /// scorer's folder then holds the adapter over the policy. <value>The default value is null.</value></summary>
    public Model.LoraOptions? Lora { get; init; }

    /// <summary>Weight λ of the pairwise (Bradley–Terry) loss over a problem's right and wrong samples, added to the
    /// BCE; batches are then whole problems, drawn only from problems with both labels (so it learns nothing from the
    /// others even when they are kept). 0: off. <value>The default value is 0.</value></summary>
    public double PairwiseWeight { get; init; }

    /// <summary>Seed of the data order. <value>The default value is 0.</value></summary>
    public long Seed { get; init; }

    public ScorerOptions Validate()
    {
        if (Steps < 1)
            throw new PonderException($"--steps {Steps} must be at least 1.");
        if (BatchSize < 1)
            throw new PonderException($"--batch-size {BatchSize} must be at least 1.");
        if (!(LearningRate > 0) || LearningRate > 1)
            throw new PonderException($"--lr {LearningRate} must be in (0, 1].");
        if (WarmupSteps < 0)
            throw new PonderException($"warm-up steps {WarmupSteps} must be 0 or positive.");
        if (WeightDecay < 0)
            throw new PonderException($"weight decay {WeightDecay} must be 0 or positive.");
        if (!(MaxGradNorm > 0))
            throw new PonderException($"max gradient norm {MaxGradNorm} must be positive.");
        if (!(PairwiseWeight >= 0) || double.IsInfinity(PairwiseWeight))
            throw new PonderException($"--pairwise {PairwiseWeight} must be 0 (off) or positive, e.g. 1.");
        if (MaxLength < 2)
            throw new PonderException($"max length {MaxLength} must be at least 2.");
        return this;
    }
}
