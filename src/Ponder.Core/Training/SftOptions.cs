namespace Ponder.Training;

/// <summary>Supervised fine-tuning settings. Immutable; <see cref="Validate"/> says what to change.</summary>
public sealed record SftOptions
{
    /// <summary>Optimizer steps. <value>The default value is 1000.</value></summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Sequences per micro-batch. <value>The default value is 16.</value></summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Micro-batches per optimizer step (the loss is normalised over all their tokens, so accumulation
    /// equals one larger batch). <value>The default value is 1.</value></summary>
    public int GradientAccumulation { get; init; } = 1;

    /// <summary>Peak learning rate. <value>The default value is 1e-3, for small models trained from scratch; use
    /// about 1e-5 to fine-tune a pretrained model.</value></summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Linear warm-up steps. <value>The default value is 50.</value></summary>
    public int WarmupSteps { get; init; } = 50;

    /// <summary>Cosine decay ends at LearningRate × MinLrRatio. <value>The default value is 0.1.</value></summary>
    public double MinLrRatio { get; init; } = 0.1;

    /// <summary>Decoupled weight decay (not applied to norms and biases). <value>The default value is
    /// 0.1.</value></summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Gradients are clipped to this global L2 norm. <value>The default value is 1.0.</value></summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Longer examples are cut to this many tokens (counted in metrics). <value>The default value is
    /// 1024.</value></summary>
    public int MaxSequenceLength { get; init; } = 1024;

    /// <summary>Pack each micro-batch's examples into rows as long as its longest example (each example still sees
    /// only itself), instead of padding every example to that length. Same loss, fewer wasted tokens.
    /// <value>The default value is true.</value></summary>
    public bool Packing { get; init; } = true;

    /// <summary>Held-out evaluation every N steps (0: only at the end). <value>The default value is
    /// 100.</value></summary>
    public int EvalEvery { get; init; } = 100;

    /// <summary>Checkpoint every N steps (and at the end). <value>The default value is 200.</value></summary>
    public int CheckpointEvery { get; init; } = 200;

    /// <summary>Checkpoints kept (older ones are deleted). <value>The default value is 2.</value></summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Seed for the data order and generated traces. <value>The default value is 0.</value></summary>
    public long Seed { get; init; }

    /// <summary>Activation checkpointing per layer (<see cref="Model.CausalLM.GradientCheckpointing"/>).
    /// <value>The default value is false.</value></summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>Train LoRA adapters instead of every weight. <value>The default value is null: full
    /// fine-tuning.</value></summary>
    public Model.LoraOptions? Lora { get; init; }

    public int ExamplesPerStep => BatchSize * GradientAccumulation;

    public SftOptions Validate()
    {
        if (Steps < 1)
            throw new PonderException($"--steps {Steps}: must be at least 1.");
        if (BatchSize < 1)
            throw new PonderException($"--batch-size {BatchSize}: must be at least 1.");
        if (GradientAccumulation < 1)
            throw new PonderException($"--grad-accum {GradientAccumulation}: must be at least 1.");
        if (!(LearningRate > 0) || LearningRate > 1)
        {
            throw new PonderException(
                $"--lr {LearningRate}: use a value in (0, 1], e.g. 1e-3 from scratch or 1e-5 to fine-tune."
            );
        }

        if (WarmupSteps < 0)
            throw new PonderException($"--warmup {WarmupSteps}: must be 0 or more.");
        if (MinLrRatio is < 0 or > 1)
            throw new PonderException($"--min-lr-ratio {MinLrRatio}: use a value in [0, 1].");
        if (WeightDecay < 0)
            throw new PonderException($"--weight-decay {WeightDecay}: must be 0 or more.");
        if (!(MaxGradNorm > 0))
            throw new PonderException($"--max-grad-norm {MaxGradNorm}: must be positive.");
        if (MaxSequenceLength < 2)
            throw new PonderException($"--max-seq-len {MaxSequenceLength}: must be at least 2.");
        if (EvalEvery < 0)
            throw new PonderException($"--eval-every {EvalEvery}: must be 0 (end only) or positive.");
        if (CheckpointEvery < 1)
            throw new PonderException($"--checkpoint-every {CheckpointEvery}: must be at least 1.");
        if (KeepCheckpoints < 1)
            throw new PonderException($"--keep-checkpoints {KeepCheckpoints}: must be at least 1.");
        Lora?.Validate();
        return this;
    }
}
