using System.Diagnostics;
using System.Globalization;
using Ponder.Algorithms;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Rollouts;
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
    int? synced; // the policy version the fleet serves; null until this process's first sync
    IReadOnlyList<Problem>? pool; // built at the first step, once a resume has said which size the run uses
    int poolSize;

    /// <param name="fleet">Where rollouts are sampled; null samples them with the policy's own engine.</param>
    public RlTrainer(LanguageModel policy, IReasoningTask task, RlOptions options, IRolloutFleet? fleet = null)
    {
        Options = options.Validate();
        this.policy = policy;
        this.fleet = fleet;
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

    public string SaveCheckpoint(string dir) =>
        TrainingCheckpoint.Save(
            dir,
            State,
            policy,
            optimizer,
            Options.KeepCheckpoints,
            extra: updater.Reference is not { } reference || updater.ReferenceIsBase
                ? null
                : tmp => ReferencePolicy.Save(reference, Path.Combine(tmp, ReferencePolicy.FileName))
        );

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
            }
        );

    public RlStep Step()
    {
        pool ??= ProblemPool.Train(task, poolSize); // before the clock: building it is not part of a step's time
        policy.Network.Adapter?.Reseed(Options.Seed, State.Step);
        var clock = Stopwatch.StartNew();
        int lag = SyncFleet();
        var (rollouts, rewards, sampling) = SampleGroups();

        var update = Stopwatch.StartNew();
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
        if (fleet is not null)
        {
            foreach (var (name, value) in fleet.TakeMetrics())
                metrics[name] = value;
            metrics["rollout/policy_lag"] = lag; // optimizer steps between the sampling weights and this update's
        }
        return new RlStep(State.Step, metrics, rollouts, rewards);
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

    sealed record Sampling(
        double GenerateSeconds,
        double GradeSeconds,
        long GeneratedTokens,
        double ZeroSignalFraction,
        int Rounds,
        int GraderErrors,
        double Flops
    );

    /// <summary>Pushes the weights to the fleet when a sync is due (<see cref="RlOptions.SyncEvery"/>); returns how
    /// many steps old the weights it samples from are.</summary>
    int SyncFleet()
    {
        if (fleet is null)
            return 0;
        if (synced is null || State.Step % Options.SyncEvery == 0)
        {
            fleet.Sync(policy, State.Step);
            synced = State.Step;
        }
        return State.Step - synced.Value;
    }

    /// <summary>Samples G completions for each of the step's problems and rewards them (once); with dynamic sampling
    /// (DAPO) drops groups whose rewards are all equal and samples more problems, up to
    /// <see cref="RlOptions.MaxSamplingRounds"/> rounds.</summary>
    (List<Rollout> Rollouts, List<double> Rewards, Sampling Stats) SampleGroups()
    {
        var generator = fleet is null ? policy.CreateGenerator() : null;
        var kept = new List<Rollout>();
        var keptRewards = new List<double>();
        Round? last = null;
        double generate = 0,
            grade = 0,
            flops = 0;
        long generated = 0;
        int groups = 0,
            zeroSignal = 0,
            errors = 0,
            round = 0;
        int rounds = Options.DynamicSampling ? Options.MaxSamplingRounds : 1;
        while (kept.Count < Options.RolloutsPerStep && round < rounds)
        {
            var r = SampleRound(generator, (Options.RolloutsPerStep - kept.Count) / Options.GroupSize, round);
            (generate, grade, flops) = (generate + r.GenerateSeconds, grade + r.GradeSeconds, flops + r.Flops);
            generated += r.GeneratedTokens;
            errors += r.Rollouts.Count(x => x.Grade.Error is not null);
            last = r;
            for (int g = 0; g < r.Rollouts.Count / Options.GroupSize; g++)
            {
                var groupRewards = r.Rewards.GetRange(g * Options.GroupSize, Options.GroupSize);
                bool signal = Dapo.HasSignal(groupRewards);
                groups++;
                if (!signal)
                    zeroSignal++;
                if ((!signal && Options.DynamicSampling) || kept.Count >= Options.RolloutsPerStep)
                    continue;
                kept.AddRange(r.Rollouts.GetRange(g * Options.GroupSize, Options.GroupSize));
                keptRewards.AddRange(groupRewards);
            }
            round++;
        }
        // nothing had signal: train on the last round anyway (zero advantages, KL only)
        if (kept.Count == 0 && last is not null)
            (kept, keptRewards) = (last.Rollouts, last.Rewards);
        double zeroFraction = groups == 0 ? 0 : zeroSignal / (double)groups;
        return (kept, keptRewards, new Sampling(generate, grade, generated, zeroFraction, round, errors, flops));
    }

    /// <summary>One sampling round: G graded, rewarded completions for each of the next problems.</summary>
    sealed record Round(
        List<Rollout> Rollouts,
        List<double> Rewards,
        double GenerateSeconds,
        double GradeSeconds,
        long GeneratedTokens,
        double Flops
    );

    Round SampleRound(BatchGenerator? generator, int problemCount, int round)
    {
        var problems = NextProblems(problemCount);
        var prompts = problems
            .Select(p => template.Render([new ChatMessage(ChatRole.User, task.Prompt(p))]).Ids)
            .ToArray();
        var sw = Stopwatch.StartNew();
        var sampling = new SamplingOptions
        {
            Temperature = Options.Temperature,
            MaxNewTokens = Options.MaxCompletionTokens,
            N = Options.GroupSize,
            Seed = DataOrder.SeedFor(Options.Seed, State.Step, round),
        };
        var completions = generator is null
            ? fleet!.Generate(prompts, sampling)
            : generator.Generate(prompts, sampling);
        double generate = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var rollouts = completions.Select(c => LocalRollouts.Grade(task, problems[c.PromptIndex], c)).ToList();
        var rewards = rollouts.Select(r => Rewards.For(r, Options)).ToList();
        double grade = sw.Elapsed.TotalSeconds;
        long generated = completions.Sum(c => (long)c.TokenIds.Count);
        return new Round(rollouts, rewards, generate, grade, generated, RolloutFlops(prompts, completions));
    }

    /// <summary>The next <paramref name="count"/> problems of the run's order over its pool.</summary>
    Problem[] NextProblems(int count)
    {
        var problems = Enumerable
            .Range(0, count)
            .Select(i => pool![DataOrder.Index(State.DataPosition + i, pool.Count, Options.Seed)])
            .ToArray();
        State = State with { DataPosition = State.DataPosition + count };
        return problems;
    }

    double RolloutFlops(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<Completion> completions)
    {
        // Each prompt is prefilled once (its cache fans out to the G samples); each generated token attends to the
        // prompt and half its own completion on average.
        double f = prompts.Sum(p => p.Count * Flops.ForwardPerToken(policy.Config, (p.Count + 1) / 2.0));
        f += completions.Sum(c =>
            c.TokenIds.Count * Flops.ForwardPerToken(policy.Config, c.PromptIds.Count + c.TokenIds.Count / 2.0)
        );
        return f;
    }

    public void Dispose()
    {
        optimizer.Dispose();
        updater.Dispose();
    }
}
