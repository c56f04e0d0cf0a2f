using System.Diagnostics;
using System.Globalization;
using Ponder.Algorithms;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Rollouts;
using Ponder.Rollouts.Monitoring;
using Ponder.Tasks;
using Ponder.Text;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Reinforcement;

/// <summary>
/// The RL loop, orchestration only: problems → sample G completions each (the batched generator, inference mode) →
/// grade (the task's one grader + format reward) → advantages (<see cref="IPolicyAlgorithm"/>) → policy loss →
/// optimizer step(s). No math lives here: it is in Algorithms/, Rewards and AdamW.
/// </summary>
public sealed class RlTrainer : IDisposable
{
    /// <summary>The pool size a run started with, kept in its checkpoints: the prompts' order is a function of
    /// it.</summary>
    const string PoolKey = "train_problems";

    readonly LanguageModel policy;
    readonly IReasoningTask task;
    readonly ChatTemplate template;
    readonly AdamW optimizer;
    readonly PolicyUpdate updater;
    readonly IRolloutFleet? fleet;
    readonly ICotMonitor? monitor;
    readonly RolloutSampler sampler;
    readonly ToolUse? tools;
    int? synced; // the policy version the fleet serves; null until this process's first sync
    Task<StepRollouts>? ahead; // the next step's rollouts, sampling on the fleet while this step updates
    string? savedAhead; // the checkpoint file holding them, after a resume
    IReadOnlyList<Problem>? pool; // built at the first step, once a resume has said which size the run uses
    int poolSize;

    /// <param name="fleet">Where rollouts are sampled; null samples them with the policy's own engine.</param>
    /// <param name="monitor">Reads every rollout's reasoning (<see cref="CotReview"/>); its flag rate is logged each
    /// step, and its verdicts cost reward only with <see cref="RlOptions.MonitorPenalty"/>. Null: no monitor.</param>
    /// <param name="tools">Multi-turn rollouts with tools (the policy's own engine only); null: one turn each.</param>
    public RlTrainer(
        LanguageModel policy,
        IReasoningTask task,
        RlOptions options,
        IRolloutFleet? fleet = null,
        ICotMonitor? monitor = null,
        ToolUse? tools = null
    )
    {
        RefuseToolsOnFleet(tools is not null, fleet is not null);
        Options = options.Validate().ValidateMonitor(monitor is not null);
        this.policy = policy;
        this.fleet = fleet;
        this.monitor = monitor;
        this.task = task;
        template =
            policy.Chat
            ?? throw new PonderException(
                "RL needs a tokenizer with the ChatML thinking tokens (<|im_start|>, <|im_end|>, <think>, </think>)."
            );
        MemoryCheck.EnsureFits(
            policy.Config,
            options with
            {
                Lora = options.Lora ?? policy.Network.Adapter?.Options,
            },
            policy.Network.DType == ScalarType.Float32 ? 4 : 2
        );
        int needed = options.Steps * options.PromptsPerStep * (options.DynamicSampling ? options.MaxSamplingRounds : 1);
        poolSize = options.TrainProblems ?? Math.Clamp(needed, 1, 20_000);
        Adapters.Prepare(policy, options.Lora, options.Seed);
        policy.Network.GradientCheckpointing = options.GradientCheckpointing;
        optimizer = new AdamW(policy.TrainableParameters(), beta2: 0.99, weightDecay: options.WeightDecay);
        updater = new PolicyUpdate(
            policy,
            optimizer,
            PolicyAlgorithms.Create(options.Algorithm),
            Options,
            padId: policy.Tokenizer.PadTokenId ?? template.EndOfTurnId,
            reference: options.Policy.Beta <= 0 ? null
                : policy.Network.Adapter is not null ? policy.Network
                : ReferencePolicy.CopyOf(policy.Network)
        );
        if (options.MaxStaleness > 0 && fleet is null)
        {
            throw new PonderException(
                $"--max-staleness {options.MaxStaleness} samples the next step while this one updates, which needs "
                    + "rollout servers (--rollout-endpoints): the trainer's own engine shares the policy's weights."
            );
        }

        sampler = new RolloutSampler(policy, task, template, Options, fleet, monitor, tools);
        this.tools = tools;
        State = new TrainerState
        {
            Kind = "rl",
            Seed = options.Seed,
            Extra = { [PoolKey] = poolSize.ToString(CultureInfo.InvariantCulture) },
        };
    }

    public RlOptions Options { get; }
    public TrainerState State { get; private set; }
    public bool Finished => State.Step >= Options.Steps;

    /// <summary>Training FLOPs so far: rollout forwards plus update forwards/backwards (<see cref="Flops"/>).</summary>
    public double CumulativeFlops =>
        State.Extra.TryGetValue("flops", out var f) ? double.Parse(f, CultureInfo.InvariantCulture) : 0;

    public void Resume(string checkpoint)
    {
        var state = TrainingCheckpoint.ReadState(checkpoint);
        if (state.Kind != "rl")
            throw new PonderException($"{checkpoint}: a {state.Kind} checkpoint, not an RL one.");
        ResumePool(state, checkpoint);
        optimizer.Load(Path.Combine(checkpoint, TrainingCheckpoint.OptimizerFile));
        if (Options.Policy.Beta > 0 && !updater.ReferenceIsBase)
        {
            string path = Path.Combine(checkpoint, ReferencePolicy.FileName);
            if (!File.Exists(path))
            {
                throw new PonderException(
                    $"{checkpoint}: {ReferencePolicy.FileName} is missing but --beta is {Options.Policy.Beta}; "
                        + "resume with the β the run started with."
                );
            }

            updater.ReplaceReference(ReferencePolicy.Load(policy.Config, policy.Network, path));
        }
        string aheadFile = Path.Combine(checkpoint, AheadRollouts.FileName);
        savedAhead = File.Exists(aheadFile) ? aheadFile : null;
        State = state;
    }

    /// <summary>A resumed run draws from the pool it started with, even when the default size (steps × prompts) would
    /// now be another because --steps changed; an explicit different --train-problems is refused. Checkpoints from
    /// before the size was recorded keep the pool the options give.</summary>
    void ResumePool(TrainerState state, string checkpoint)
    {
        if (!state.Extra.TryGetValue(PoolKey, out var recorded))
        {
            state.Extra[PoolKey] = poolSize.ToString(CultureInfo.InvariantCulture); // pinned from here on
            return;
        }
        if (!int.TryParse(recorded, NumberStyles.None, CultureInfo.InvariantCulture, out int started) || started < 1)
        {
            throw new PonderException(
                $"{checkpoint}/{TrainingCheckpoint.StateFile}: extra.{PoolKey} is \"{recorded}\", not a "
                    + "number of problems; restore the file from another checkpoint of the run or start a new "
                    + "run in another --out."
            );
        }

        if (started == poolSize)
            return;
        if (Options.TrainProblems is { } asked)
        {
            throw new PonderException(
                $"{checkpoint}: the run started with a pool of {started} training problems, not {asked}; resume "
                    + $"with --train-problems {started} (or without the option), or start a new run in another --out."
            );
        }

        poolSize = started;
        pool = null;
    }

    /// <summary>Saves the run; an asynchronous run first waits for the rollouts it is sampling ahead and saves them
    /// too (<see cref="AheadRollouts"/>).</summary>
    public string SaveCheckpoint(string dir)
    {
        var next = ahead?.GetAwaiter().GetResult();
        if (next is not null)
            ahead = Task.FromResult(next);
        return TrainingCheckpoint.Save(
            dir,
            State,
            policy,
            optimizer,
            Options.KeepCheckpoints,
            extra: tmp =>
            {
                if (updater.Reference is { } reference && !updater.ReferenceIsBase)
                    ReferencePolicy.Save(reference, Path.Combine(tmp, ReferencePolicy.FileName));
                if (next is not null)
                    AheadRollouts.Save(Path.Combine(tmp, AheadRollouts.FileName), State.Step, next);
            }
        );
    }

    /// <summary>Refuses tools with a fleet (multi-turn rollouts run on the trainer's engine); the command line asks
    /// before it loads anything.</summary>
    public static void RefuseToolsOnFleet(bool tools, bool fleet)
    {
        if (tools && fleet)
        {
            throw new PonderException(
                "--tools runs multi-turn rollouts on the trainer's own engine; drop --rollout-endpoints (a fleet "
                    + "samples single turns)."
            );
        }
    }

    /// <summary>Held-out rollouts: <see cref="RlOptions.EvalSamples"/> samples per problem at the training temperature,
    /// with a fixed seed so every evaluation of a run sees the same random stream.</summary>
    public IReadOnlyList<Rollout> Evaluate(IReadOnlyList<Problem> problems) =>
        LocalRollouts.Run(
            policy,
            task,
            problems,
            new SamplingOptions
            {
                Temperature = Options.Temperature,
                MaxNewTokens = Options.MaxCompletionTokens,
                N = Options.EvalSamples,
                Seed = Options.Seed + 7_919,
            },
            tools
        );

    public RlStep Step()
    {
        pool ??= ProblemPool.Train(task, poolSize); // before the clock: building it is not part of a step's time
        policy.Network.Adapter?.Reseed(Options.Seed, State.Step);
        var clock = Stopwatch.StartNew();
        var batch = NextRollouts();
        double waited = clock.Elapsed.TotalSeconds;
        State = State with { DataPosition = batch.Position };
        int lag = State.Step - batch.Version;
        SampleAhead();

        var update = Stopwatch.StartNew();
        var (rollouts, rewards, sampling) = (batch.Rollouts, batch.Rewards, batch.Stats);
        var stats = updater.Run(rollouts, rewards, State.Step);
        update.Stop();

        double flops = sampling.Flops + stats.Flops;
        State = State with
        {
            Step = State.Step + 1,
            Extra = new Dictionary<string, string>(State.Extra)
            {
                ["flops"] = (CumulativeFlops + flops).ToString("R", CultureInfo.InvariantCulture),
            },
        };
        var metrics = Metrics(
            rollouts,
            rewards,
            sampling,
            stats,
            update.Elapsed.TotalSeconds,
            clock.Elapsed.TotalSeconds
        );
        metrics["time/rollout_wait"] = waited; // sampling (synchronous) or waiting for the rollouts sampled ahead
        if (fleet is not null)
        {
            foreach (var (name, value) in fleet.TakeMetrics())
                metrics[name] = value;
            metrics["rollout/policy_lag"] = lag; // optimizer steps between the sampling weights and this update's
        }
        if (monitor is null)
            return new RlStep(State.Step, metrics, rollouts, rewards);
        foreach (var (name, value) in CotReview.Metrics(batch.Sampled ?? batch.Verdicts))
            metrics[name] = value;
        return new RlStep(State.Step, metrics, rollouts, rewards, batch.Verdicts);
    }

    /// <summary>This step's rollouts: those sampled ahead (or read from the checkpoint), else sampled now.</summary>
    StepRollouts NextRollouts()
    {
        if (savedAhead is not null)
        {
            var saved = AheadRollouts.Load(savedAhead, State.Step);
            savedAhead = null;
            return sampler.Regrade(pool!, saved);
        }
        if (ahead is { } running)
        {
            ahead = null;
            return running.GetAwaiter().GetResult();
        }
        SyncFleet();
        return sampler.Sample(pool!, State.Step, State.DataPosition, synced ?? State.Step);
    }

    /// <summary>Pushes the weights to the fleet when a sync is due (<see cref="RlOptions.SyncEvery"/>) and not yet
    /// made.</summary>
    void SyncFleet()
    {
        if (fleet is null || synced == State.Step)
            return;
        if (synced is null || State.Step % Options.SyncEvery == 0)
        {
            fleet.Sync(policy, State.Step);
            synced = State.Step;
        }
    }

    /// <summary>Asynchronous RL: the next step's rollouts are sampled on the fleet, from the weights synced now, while
    /// this step updates.</summary>
    void SampleAhead()
    {
        if (Options.MaxStaleness == 0 || State.Step + 1 >= Options.Steps)
            return;
        SyncFleet();
        var (p, step, position, version) = (pool!, State.Step + 1, State.DataPosition, synced!.Value);
        ahead = Task.Run(() => sampler.Sample(p, step, position, version));
    }

    Dictionary<string, double> Metrics(
        IReadOnlyList<Rollout> rollouts,
        IReadOnlyList<double> rewards,
        Sampling sampling,
        UpdateStats stats,
        double updateSeconds,
        double total
    ) =>
        new()
        {
            ["reward/mean"] = rewards.Average(),
            ["reward/accuracy"] = rollouts.Average(r => r.Grade.Correct ? 1.0 : 0.0),
            ["reward/format_rate"] = rollouts.Average(r => r.WellFormed ? 1.0 : 0.0),
            ["rollout/zero_signal_fraction"] = sampling.ZeroSignalFraction,
            // groups kept for the update (dynamic sampling drops some)
            ["rollout/groups_trained"] = rollouts.Count / Options.GroupSize,
            ["rollout/sampling_rounds"] = sampling.Rounds,
            // completions with a non-zero advantage (or all, when not skipped)
            ["rollout/trained_fraction"] = stats.RowsTrained / (double)rollouts.Count,
            ["rollout/reasoning_tokens"] = rollouts.Average(r => r.ReasoningTokens),
            ["rollout/answer_tokens"] = rollouts.Average(r => r.AnswerTokens),
            ["rollout/truncated_fraction"] = rollouts.Average(r =>
                r.Completion.Finish == FinishReason.Length ? 1.0 : 0.0
            ),
            ["rollout/grader_errors"] = sampling.GraderErrors,
            ["loss/kl"] = stats.Kl,
            ["loss/entropy"] = stats.Entropy,
            ["loss/clip_fraction"] = stats.ClipFraction,
            ["loss/ratio_mean"] = stats.Ratio,
            // the rollout engine (behaviour μ) against the trainer (π_old) on the sampled tokens
            ["offpolicy/logprob_abs_diff"] = stats.MismatchAbs,
            ["offpolicy/kl"] = stats.MismatchKl,
            ["offpolicy/is_capped_fraction"] = stats.IsCapped,
            ["loss/policy"] = stats.Loss,
            ["train/grad_norm"] = stats.GradNorm,
            ["train/lr"] = stats.LearningRate,
            ["perf/rollout_tokens_per_second"] = sampling.GeneratedTokens / Math.Max(1e-9, sampling.GenerateSeconds),
            ["perf/update_tokens_per_second"] = stats.Tokens / Math.Max(1e-9, updateSeconds),
            ["time/generate"] = sampling.GenerateSeconds,
            ["time/grade"] = sampling.GradeSeconds,
            ["time/update"] = updateSeconds,
            ["time/step"] = total,
            ["time/overhead_ratio"] = total / Math.Max(1e-9, sampling.GenerateSeconds + updateSeconds),
            ["compute/flops"] = CumulativeFlops,
        };

    public void Dispose()
    {
        try
        {
            ahead?.Wait(); // the fleet it samples on outlives this trainer only as long as its owner says
        }
        catch (AggregateException) { } // its failure was not asked for any more
        optimizer.Dispose();
        updater.Dispose();
    }
}
