using Ponder.Algorithms;

namespace Ponder.Reinforcement;

/// <summary>Reinforcement-learning settings. Immutable; <see cref="Validate"/> says what to change.</summary>
public sealed record RlOptions
{
    /// <summary>grpo, drgrpo, dapo or rloo. <value>The default value is "grpo".</value></summary>
    public string Algorithm { get; init; } = "grpo";

    /// <summary>Optimizer steps (each on a fresh batch of rollouts). <value>The default value is 100.</value></summary>
    public int Steps { get; init; } = 100;

    /// <summary>Problems per step. <value>The default value is 16.</value></summary>
    public int PromptsPerStep { get; init; } = 16;

    /// <summary>Completions per problem (G). <value>The default value is 8.</value></summary>
    public int GroupSize { get; init; } = 8;

    /// <summary>Policy updates per batch of rollouts (μ); above 1 the importance ratio against the sampling policy
    /// matters. <value>The default value is 1.</value></summary>
    public int UpdatesPerBatch { get; init; } = 1;

    /// <summary>Rows per forward/backward micro-batch in the update. <value>The default value is 32.</value></summary>
    public int MicroBatchSize { get; init; } = 32;

    /// <summary>Peak learning rate. <value>The default value is 1e-4 (small models); R1 used 3e-6 at
    /// scale.</value></summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>Linear warm-up steps, then constant (RL recipes rarely decay). <value>The default value is
    /// 5.</value></summary>
    public int WarmupSteps { get; init; } = 5;

    /// <summary><value>The default value is 1.0.</value></summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary><value>The default value is 0.0 (RL recipes use none).</value></summary>
    public double WeightDecay { get; init; }

    /// <summary>Sampling temperature of the rollouts (and of the log-probs in the loss). <value>The default value is
    /// 1.0.</value></summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Completion tokens at most. <value>The default value is 512.</value></summary>
    public int MaxCompletionTokens { get; init; } = 512;

    /// <summary>Clip, KL and normaliser settings of the loss. The DAPO preset raises ε_high to 0.28.</summary>
    public PolicyOptions Policy { get; init; } = new();

    /// <summary>Reward for a well-formed completion (reasoning closed by &lt;/think&gt;, then an answer), added to the
    /// accuracy reward (1 when correct). <value>The default value is 0.1.</value></summary>
    public double FormatReward { get; init; } = 0.1;

    /// <summary>Whether the accuracy reward is the grade's partial credit (<see cref="Tasks.Grade.Score"/>: for code,
    /// the share of tests passed) where the task gives one, instead of 1 or 0. Off by default, as in R1: partial
    /// credit rewards programs that pass the easy tests, which a policy can learn to special-case.
    /// <value>The default value is false.</value></summary>
    public bool PartialReward { get; init; }

    /// <summary>Subtracted from the reward of a rollout whose reasoning the CoT monitor flags or blocks (the monitor is
    /// the trainer's, see <see cref="RlTrainer"/>; a penalty needs one, <see cref="ValidateMonitor"/>). Off by default
    /// on purpose: optimising against a chain-of-thought monitor teaches the policy to hide its intent while it keeps
    /// misbehaving, so the monitor stops warning (Baker et al. 2025, "Monitoring Reasoning Models for Misbehavior and
    /// the Risks of Promoting Obfuscation"). With 0 the monitor only watches and its flag rate is logged each step.
    /// <value>The default value is 0 (off).</value></summary>
    public double MonitorPenalty { get; init; }

    /// <summary>DAPO's soft overlong punishment window in tokens (0: off; DAPO's default on for dapo).
    /// <value>The default value is 0.</value></summary>
    public int OverlongWindow { get; init; }

    /// <summary>Drop groups whose rewards are all equal and sample more problems (DAPO).
    /// <value>The default value is false (true for dapo).</value></summary>
    public bool DynamicSampling { get; init; }

    /// <summary>Leave completions whose advantage is exactly 0 out of the update when there is no reference policy
    /// (β = 0). Their clipped surrogate is 0 with a 0 gradient, and the loss normaliser still counts them, so the
    /// update is the same up to float rounding — only faster: early in RL most groups are all wrong. <value>The default
    /// value is true.</value></summary>
    public bool SkipZeroAdvantage { get; init; } = true;

    /// <summary>Extra sampling rounds dynamic sampling may take per step before training on what it has.
    /// <value>The default value is 3.</value></summary>
    public int MaxSamplingRounds { get; init; } = 3;

    /// <summary>Distinct training problems the prompts are drawn from (every one the task has when that is fewer).
    /// Null: as many as the run asks for (steps × prompts per step, × sampling rounds with dynamic sampling), at most
    /// 20,000. A run keeps the size it started with when resumed, whatever --steps then is (recorded in its
    /// checkpoints).
    /// <value>The default value is null.</value></summary>
    public int? TrainProblems { get; init; }

    /// <summary>Held-out evaluation every N steps, besides before the first and after the last (0: only those). Set
    /// this or <see cref="EvalPoints"/>, not both. <value>The default value is null: every
    /// <see cref="DefaultEvalEvery"/> steps when <see cref="EvalPoints"/> is not set either.</value></summary>
    public int? EvalEvery { get; init; }

    /// <summary>Held-out evaluations in all, spaced evenly in log(step) for a train-time compute plot with a log axis:
    /// step 0 (the starting model) and round(Steps^(j/(n − 2))) for j = 0 … n − 2, duplicates dropped
    /// (<see cref="EvalSchedule.LogSpaced"/>). Set this or <see cref="EvalEvery"/>, not both. <value>The default value
    /// is null (use <see cref="EvalEvery"/>).</value></summary>
    public int? EvalPoints { get; init; }

    /// <summary>The evaluation interval when neither <see cref="EvalEvery"/> nor <see cref="EvalPoints"/> is
    /// set.</summary>
    public const int DefaultEvalEvery = 10;

    /// <summary>The steps whose model is evaluated, ascending: 0 (before the first update), the last, and those
    /// <see cref="EvalPoints"/> or <see cref="EvalEvery"/> ask for.</summary>
    public IReadOnlyList<int> EvalSteps =>
        EvalPoints is { } n
            ? EvalSchedule.LogSpaced(Steps, n)
            : EvalSchedule.Every(Steps, EvalEvery ?? DefaultEvalEvery);

    /// <summary>Held-out problems per evaluation. <value>The default value is 100.</value></summary>
    public int EvalProblems { get; init; } = 100;

    /// <summary>Samples per held-out problem (pass@1 is their mean, at <see cref="Temperature"/>). <value>The default
    /// value is 4.</value></summary>
    public int EvalSamples { get; init; } = 4;

    /// <summary><value>The default value is 20.</value></summary>
    public int CheckpointEvery { get; init; } = 20;

    /// <summary><value>The default value is 2.</value></summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Seed of problem order and sampling. <value>The default value is 0.</value></summary>
    public long Seed { get; init; }

    /// <summary>Activation checkpointing per layer in the update (<see cref="Model.CausalLM.GradientCheckpointing"/>).
    /// <value>The default value is false.</value></summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>Log-probs and entropies are computed from the logits of at most this many positions at a time, so no
    /// (B, T, V) float32 tensor exists (each chunk's logits are remade in the backward pass).
    /// <value>The default value is null: as many positions as 256 MiB of float32 logits hold.</value></summary>
    public int? LogitsChunkTokens { get; init; }

    /// <summary>The logits budget of <see cref="LogitsChunkTokens"/>'s default.</summary>
    public const long LogitsChunkBytes = 256L << 20;

    /// <summary>Positions per logits chunk for a vocabulary of <paramref name="vocabSize"/>.</summary>
    public int LogitsChunk(int vocabSize) =>
        LogitsChunkTokens ?? Training.TokenLogprobs.ChunkFor(vocabSize, LogitsChunkBytes);

    /// <summary>Train LoRA adapters instead of every weight; the KL reference is then the base model (the adapters
    /// switched off). <value>The default value is null: full fine-tuning.</value></summary>
    public Model.LoraOptions? Lora { get; init; }

    /// <summary>The preset of an algorithm: its paper's defaults for the knobs that define it.</summary>
    public static RlOptions For(string algorithm) =>
        algorithm switch
        {
            "dapo" => new RlOptions
            {
                Algorithm = "dapo",
                Policy = new PolicyOptions { EpsLow = 0.2, EpsHigh = 0.28 },
                DynamicSampling = true,
                OverlongWindow = 64,
            },
            "gspo" => new RlOptions
            {
                Algorithm = "gspo",
                Policy = new PolicyOptions { EpsLow = 3e-4, EpsHigh = 4e-4 },
            },
            "cispo" => new RlOptions
            {
                Algorithm = "cispo",
                Policy = new PolicyOptions { EpsHigh = 4 },
            },
            _ => new RlOptions { Algorithm = algorithm },
        };

    public int RolloutsPerStep => PromptsPerStep * GroupSize;

    /// <summary>With rollouts from a fleet (<see cref="Rollouts.IRolloutFleet"/>): push the policy's weights to the
    /// replicas before every k-th step (and at a run's or resume's first step). Between syncs the rollouts come from
    /// weights up to k − 1 steps old; the off-policy correction (<see cref="PolicyOptions.Correction"/>) is what
    /// accounts for that. <value>The default value is 1 (on-policy).</value></summary>
    public int SyncEvery { get; init; } = 1;

    /// <summary>Asynchronous RL with a fleet: above 0, the next step's rollouts are sampled on the replicas while this
    /// step updates, so a step trains on rollouts from weights one version older (or more, up to
    /// <see cref="SyncEvery"/>, which must not exceed this); 0 samples each step's rollouts from the current weights
    /// first. <value>The default value is 0 (synchronous).</value></summary>
    public int MaxStaleness { get; init; }

    public RlOptions Validate()
    {
        var algo = PolicyAlgorithms.Create(Algorithm);
        if (algo.GroupRelative && GroupSize < 2)
        {
            throw new PonderException(
                $"--group-size {GroupSize}: {Algorithm} compares completions within a group; use at least 2."
            );
        }

        if (GroupSize < 1)
            throw new PonderException($"--group-size {GroupSize}: must be at least 1.");
        if (Steps < 1)
            throw new PonderException($"--steps {Steps}: must be at least 1.");
        if (TrainProblems < 1)
            throw new PonderException($"--train-problems {TrainProblems}: must be at least 1.");
        if (PromptsPerStep < 1)
            throw new PonderException($"--prompts {PromptsPerStep}: must be at least 1.");
        if (UpdatesPerBatch < 1)
            throw new PonderException($"--updates {UpdatesPerBatch}: must be at least 1.");
        if (MicroBatchSize < 1)
            throw new PonderException($"--micro-batch {MicroBatchSize}: must be at least 1.");
        if (!(LearningRate > 0) || LearningRate > 1)
            throw new PonderException($"--lr {LearningRate}: use a value in (0, 1].");
        if (!(Temperature > 0))
        {
            throw new PonderException(
                $"--temperature {Temperature}: RL samples must be random; use a value above 0 (1.0 is usual)."
            );
        }

        if (MaxCompletionTokens < 1)
            throw new PonderException($"--max-tokens {MaxCompletionTokens}: must be at least 1.");
        ValidatePolicy();
        ValidateReward();
        ValidateSchedule();
        if (EvalProblems < 1)
            throw new PonderException($"--eval-problems {EvalProblems}: must be at least 1.");
        if (EvalSamples < 1)
            throw new PonderException($"--eval-samples {EvalSamples}: must be at least 1.");
        if (CheckpointEvery < 1)
            throw new PonderException($"--checkpoint-every {CheckpointEvery}: must be at least 1.");
        if (KeepCheckpoints < 1)
            throw new PonderException($"--keep-checkpoints {KeepCheckpoints}: must be at least 1.");
        Lora?.Validate();
        ValidateFleet();
        if (LogitsChunkTokens < 1)
            throw new PonderException($"--logits-chunk {LogitsChunkTokens}: must be at least 1 (positions per chunk).");
        return this;
    }

    /// <summary>Checks the options against whether the run has a CoT monitor: a penalty needs one to say which rollouts
    /// it applies to.</summary>
    public RlOptions ValidateMonitor(bool monitored)
    {
        if (MonitorPenalty > 0 && !monitored)
        {
            throw new PonderException(
                $"--monitor-penalty {MonitorPenalty} needs a CoT monitor to say which rollouts to penalise; give "
                    + "--monitor FILE (a rules file, as for ponder serve) or leave the penalty at 0."
            );
        }

        return this;
    }

    /// <summary>What the reward adds to or takes from the grader's 0 or 1.</summary>
    void ValidateReward()
    {
        if (OverlongWindow < 0 || OverlongWindow >= MaxCompletionTokens)
        {
            throw new PonderException(
                $"--overlong-window {OverlongWindow}: must be 0 (off) or less than --max-tokens {MaxCompletionTokens}."
            );
        }

        if (!(MonitorPenalty >= 0))
        {
            throw new PonderException(
                $"--monitor-penalty {MonitorPenalty}: must be 0 (off) or more; it is subtracted from the reward of a "
                    + "rollout the CoT monitor flags."
            );
        }
    }

    /// <summary>When rollouts from a fleet are synced and how stale they may be.</summary>
    void ValidateFleet()
    {
        if (SyncEvery < 1)
            throw new PonderException($"--sync-every {SyncEvery}: must be at least 1 (steps between weight syncs).");
        if (MaxStaleness < 0)
            throw new PonderException($"--max-staleness {MaxStaleness}: must be 0 (synchronous) or more.");
        if (MaxStaleness > 0 && SyncEvery > MaxStaleness)
        {
            throw new PonderException(
                $"--sync-every {SyncEvery} with --max-staleness {MaxStaleness}: rollouts would come from weights up "
                    + $"to {SyncEvery} steps old; sync at least every {MaxStaleness} steps or allow more staleness."
            );
        }
    }

    /// <summary>The loss's settings: clip range, KL coefficient, off-policy correction.</summary>
    void ValidatePolicy()
    {
        if (Policy.EpsLow is < 0 or >= 1)
            throw new PonderException($"--eps-low {Policy.EpsLow}: use a value in [0, 1).");
        if (Policy.EpsHigh < 0)
            throw new PonderException($"--eps-high {Policy.EpsHigh}: must be 0 or more.");
        if (Policy.Beta < 0)
            throw new PonderException($"--beta {Policy.Beta}: must be 0 or more.");
        if (!(Policy.IsCap > 0))
            throw new PonderException($"--is-cap {Policy.IsCap}: must be positive (3 is TRL's default).");
        if (Algorithm == "gspo" && Policy.Correction != IsCorrection.None && Policy.IsLevel == IsLevel.Token)
        {
            throw new PonderException(
                "--algo gspo with --is-level token: GSPO's ratio is one per completion, so its off-policy weight must "
                    + "be too; use --is-level sequence."
            );
        }
    }

    /// <summary>When to evaluate: one of <see cref="EvalEvery"/> and <see cref="EvalPoints"/>, each in range.</summary>
    void ValidateSchedule()
    {
        if (EvalEvery < 0)
            throw new PonderException($"--eval-every {EvalEvery}: must be 0 (first and last step only) or positive.");
        if (EvalEvery is not null && EvalPoints is not null)
        {
            throw new PonderException(
                $"--eval-every {EvalEvery} and --eval-points {EvalPoints} are both set; remove one: --eval-every "
                    + "evaluates every N steps, --eval-points at n steps spaced evenly in log(step)."
            );
        }

        if (EvalPoints < 2)
        {
            throw new PonderException(
                $"--eval-points {EvalPoints}: use at least 2 (step 0, the starting model, and the last step)."
            );
        }
    }
}
