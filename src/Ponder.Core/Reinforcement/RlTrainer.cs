using System.Diagnostics;
using System.Globalization;
using Ponder.Algorithms;
using Ponder.Generation;
using Ponder.Model;
using Ponder.Rollouts;
using Ponder.Tasks;
using Ponder.Text;
using Ponder.Training;
using static TorchSharp.torch;
using Ponder.LanguageModels;

namespace Ponder.Reinforcement;

/// <summary>
/// The RL loop, orchestration only: problems → sample G completions each (the batched sampler, inference mode) →
/// grade (the task's one grader + format reward) → advantages (<see cref="IPolicyAlgorithm"/>) → policy loss →
/// optimizer step(s). No math lives here: it is in Algorithms/, Rewards and AdamW.
/// </summary>
public sealed class RlTrainer : IDisposable
{
    /// <summary>The pool size a run started with, kept in its checkpoints: the prompts' order is a function of it.</summary>
    const string PoolKey = "train_problems";

    readonly LanguageModel policy;
    readonly IReasoningTask task;
    readonly IPolicyAlgorithm algorithm;
    readonly ChatTemplate template;
    readonly AdamW optimizer;
    IReadOnlyList<Problem>? pool;       // built at the first step, once a resume has said which size the run uses
    int poolSize;
    readonly int padId;
    CausalLM? reference;

    public RlTrainer(LanguageModel policy, IReasoningTask task, RlOptions options)
    {
        Options = options.Validate();
        this.policy = policy;
        this.task = task;
        algorithm = PolicyAlgorithms.Create(options.Algorithm);
        template = policy.Chat ?? throw new PonderException("RL needs a tokenizer with the ChatML thinking tokens (<|im_start|>, <|im_end|>, <think>, </think>).");
        padId = policy.Tokenizer.PadTokenId ?? template.EndOfTurnId;
        MemoryCheck.EnsureFits(policy.Config, options);
        int needed = options.Steps * options.PromptsPerStep * (options.DynamicSampling ? options.MaxSamplingRounds : 1);
        poolSize = options.TrainProblems ?? Math.Clamp(needed, 1, 20_000);
        optimizer = new AdamW(policy.Network.named_parameters().Select(p => (p.name, p.parameter)), beta2: 0.99, weightDecay: options.WeightDecay);
        if (options.Policy.Beta > 0) reference = ReferencePolicy.CopyOf(policy.Network);
        State = new TrainerState { Kind = "rl", Seed = options.Seed, Extra = { [PoolKey] = poolSize.ToString(CultureInfo.InvariantCulture) } };
    }

    public RlOptions Options { get; }
    public TrainerState State { get; private set; }
    public bool Finished => State.Step >= Options.Steps;

    /// <summary>Training FLOPs so far: rollout forwards plus update forwards/backwards (<see cref="Flops"/>).</summary>
    public double CumulativeFlops => State.Extra.TryGetValue("flops", out var f) ? double.Parse(f, CultureInfo.InvariantCulture) : 0;

    public void Resume(string checkpoint)
    {
        var state = TrainingCheckpoint.ReadState(checkpoint);
        if (state.Kind != "rl") throw new PonderException($"{checkpoint}: a {state.Kind} checkpoint, not an RL one.");
        ResumePool(state, checkpoint);
        optimizer.Load(Path.Combine(checkpoint, TrainingCheckpoint.OptimizerFile));
        if (Options.Policy.Beta > 0)
        {
            string path = Path.Combine(checkpoint, ReferencePolicy.FileName);
            if (!File.Exists(path)) throw new PonderException($"{checkpoint}: {ReferencePolicy.FileName} is missing but --beta is {Options.Policy.Beta}; resume with the β the run started with.");
            reference?.Dispose();
            reference = ReferencePolicy.Load(policy.Config, policy.Network, path);
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
            state.Extra[PoolKey] = poolSize.ToString(CultureInfo.InvariantCulture);    // pinned from here on
            return;
        }
        if (!int.TryParse(recorded, NumberStyles.None, CultureInfo.InvariantCulture, out int started) || started < 1)
            throw new PonderException($"{checkpoint}/{TrainingCheckpoint.StateFile}: extra.{PoolKey} is \"{recorded}\", not a " +
                "number of problems; restore the file from another checkpoint of the run or start a new run in another --out.");
        if (started == poolSize) return;
        if (Options.TrainProblems is { } asked)
            throw new PonderException($"{checkpoint}: the run started with a pool of {started} training problems, not {asked}; resume " +
                $"with --train-problems {started} (or without the option), or start a new run in another --out.");
        poolSize = started;
        pool = null;
    }

    public string SaveCheckpoint(string dir) =>
        TrainingCheckpoint.Save(dir, State, policy, optimizer, Options.KeepCheckpoints,
            extra: reference is null ? null : tmp => ReferencePolicy.Save(reference, Path.Combine(tmp, ReferencePolicy.FileName)));

    /// <summary>Held-out rollouts: <see cref="RlOptions.EvalSamples"/> samples per problem at the training temperature,
    /// with a fixed seed so every evaluation of a run sees the same random stream.</summary>
    public IReadOnlyList<Rollout> Evaluate(IReadOnlyList<Problem> problems) =>
        LocalRollouts.Run(policy, task, problems, new SamplingOptions
        {
            Temperature = Options.Temperature,
            MaxNewTokens = Options.MaxCompletionTokens,
            N = Options.EvalSamples,
            Seed = Options.Seed + 7_919,
        });

    public RlStep Step()
    {
        pool ??= ProblemPool.Train(task, poolSize);        // before the clock: building it is not part of a step's time
        var clock = Stopwatch.StartNew();
        var (rollouts, sampling) = SampleGroups();
        var rewards = rollouts.Select(r => Rewards.For(r, Options)).ToArray();

        var update = Stopwatch.StartNew();
        var stats = Update(rollouts, rewards);
        update.Stop();

        double flops = sampling.Flops + stats.Flops;
        State = State with
        {
            Step = State.Step + 1,
            Extra = new Dictionary<string, string>(State.Extra) { ["flops"] = (CumulativeFlops + flops).ToString("R", CultureInfo.InvariantCulture) },
        };
        double total = clock.Elapsed.TotalSeconds;
        var metrics = new Dictionary<string, double>
        {
            ["reward/mean"] = rewards.Average(),
            ["reward/accuracy"] = rollouts.Average(r => r.Grade.Correct ? 1.0 : 0.0),
            ["reward/format_rate"] = rollouts.Average(r => r.WellFormed ? 1.0 : 0.0),
            ["rollout/zero_signal_fraction"] = sampling.ZeroSignalFraction,
            ["rollout/groups_trained"] = rollouts.Count / Options.GroupSize,   // groups kept for the update (dynamic sampling drops some)
            ["rollout/sampling_rounds"] = sampling.Rounds,
            ["rollout/trained_fraction"] = stats.RowsTrained / (double)rollouts.Count,   // completions with a non-zero advantage (or all, when not skipped)
            ["rollout/reasoning_tokens"] = rollouts.Average(r => r.ReasoningTokens),
            ["rollout/answer_tokens"] = rollouts.Average(r => r.AnswerTokens),
            ["rollout/truncated_fraction"] = rollouts.Average(r => r.Completion.Finish == FinishReason.Length ? 1.0 : 0.0),
            ["rollout/grader_errors"] = sampling.GraderErrors,
            ["loss/kl"] = stats.Kl,
            ["loss/entropy"] = stats.Entropy,
            ["loss/clip_fraction"] = stats.ClipFraction,
            ["loss/ratio_mean"] = stats.Ratio,
            ["loss/policy"] = stats.Loss,
            ["train/grad_norm"] = stats.GradNorm,
            ["train/lr"] = stats.LearningRate,
            ["perf/rollout_tokens_per_second"] = sampling.GeneratedTokens / Math.Max(1e-9, sampling.GenerateSeconds),
            ["perf/update_tokens_per_second"] = stats.Tokens / Math.Max(1e-9, update.Elapsed.TotalSeconds),
            ["time/generate"] = sampling.GenerateSeconds,
            ["time/grade"] = sampling.GradeSeconds,
            ["time/update"] = update.Elapsed.TotalSeconds,
            ["time/step"] = total,
            ["time/overhead_ratio"] = total / Math.Max(1e-9, sampling.GenerateSeconds + update.Elapsed.TotalSeconds),
            ["compute/flops"] = CumulativeFlops,
        };
        return new RlStep(State.Step, metrics, rollouts, rewards);
    }

    sealed record Sampling(double GenerateSeconds, double GradeSeconds, long GeneratedTokens, double ZeroSignalFraction, int Rounds, int GraderErrors, double Flops);

    /// <summary>Samples G completions for each of the step's problems; with dynamic sampling (DAPO) drops groups whose
    /// rewards are all equal and samples more problems, up to <see cref="RlOptions.MaxSamplingRounds"/> rounds.</summary>
    (List<Rollout> Rollouts, Sampling Stats) SampleGroups()
    {
        var sampler = policy.CreateGenerator();
        var kept = new List<Rollout>();
        List<Rollout> lastRound = [];
        double generate = 0, grade = 0, flops = 0;
        long generated = 0;
        int groups = 0, zeroSignal = 0, errors = 0, round = 0, rounds = Options.DynamicSampling ? Options.MaxSamplingRounds : 1;
        while (kept.Count < Options.RolloutsPerStep && round < rounds)
        {
            int need = (Options.RolloutsPerStep - kept.Count) / Options.GroupSize;
            var problems = Enumerable.Range(0, need).Select(i => pool![DataOrder.Index(State.DataPosition + i, pool.Count, Options.Seed)]).ToArray();
            State = State with { DataPosition = State.DataPosition + need };
            var prompts = problems.Select(p => template.Render([new ChatMessage(ChatRole.User, task.Prompt(p))]).Ids).ToArray();

            var sw = Stopwatch.StartNew();
            var completions = sampler.Generate(prompts, new SamplingOptions
            {
                Temperature = Options.Temperature,
                MaxNewTokens = Options.MaxCompletionTokens,
                N = Options.GroupSize,
                Seed = DataOrder.SeedFor(Options.Seed, State.Step, round),
            });
            generate += sw.Elapsed.TotalSeconds;
            sw.Restart();
            var rollouts = completions.Select(c => LocalRollouts.Grade(task, problems[c.PromptIndex], c)).ToList();
            grade += sw.Elapsed.TotalSeconds;

            generated += completions.Sum(c => (long)c.TokenIds.Count);
            flops += RolloutFlops(prompts, completions);
            errors += rollouts.Count(r => r.Grade.Error is not null);
            lastRound = rollouts;
            for (int g = 0; g < problems.Length; g++)
            {
                var group = rollouts.GetRange(g * Options.GroupSize, Options.GroupSize);
                bool signal = Dapo.HasSignal(group.Select(r => Rewards.For(r, Options)).ToArray());
                groups++;
                if (!signal) zeroSignal++;
                if ((signal || !Options.DynamicSampling) && kept.Count < Options.RolloutsPerStep) kept.AddRange(group);
            }
            round++;
        }
        if (kept.Count == 0) kept = lastRound;   // nothing had signal: train on it anyway (zero advantages, KL only)
        return (kept, new Sampling(generate, grade, generated, groups == 0 ? 0 : zeroSignal / (double)groups, round, errors, flops));
    }

    double RolloutFlops(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<Completion> completions)
    {
        // Each prompt is prefilled once (its cache fans out to the G samples); each generated token attends to the
        // prompt and half its own completion on average.
        double f = prompts.Sum(p => p.Count * Flops.ForwardPerToken(policy.Config, (p.Count + 1) / 2.0));
        f += completions.Sum(c => c.TokenIds.Count * Flops.ForwardPerToken(policy.Config, c.PromptIds.Count + c.TokenIds.Count / 2.0));
        return f;
    }

    sealed record UpdateStats(double Loss, double Kl, double Entropy, double ClipFraction, double Ratio, double GradNorm, double LearningRate, long Tokens, double Flops, int RowsTrained);

    UpdateStats Update(List<Rollout> rollouts, double[] rewards)
    {
        // Which rollouts the forward/backward passes see. Without a reference policy the rewards are final here, and a
        // completion with advantage 0 adds exactly 0 to the loss and its gradient (the normaliser below still counts
        // every rollout), so it is left out. At least one row is kept: its backward makes the zero gradients that the
        // optimizer step (weight decay, moment decay) then applies, as it would have with every row.
        int[] trained = Enumerable.Range(0, rollouts.Count).ToArray();
        int withGradient = rollouts.Count;
        double[]? finalAdvantages = null;
        if (reference is null && Options.SkipZeroAdvantage)
        {
            finalAdvantages = algorithm.Advantages(rewards, Options.GroupSize);
            trained = trained.Where(i => finalAdvantages[i] != 0).ToArray();
            withGradient = trained.Length;
            if (trained.Length == 0) trained = [0];
        }
        var rows = trained.Select(i => rollouts[i]).ToList();
        var withMicro = rows.Chunk(Options.MicroBatchSize).Select(c => RolloutTensors.Build(c, padId, policy.Network.Device)).ToList();
        try
        {
            double flops = 0;
            long sequenceTokens = rows.Sum(r => (long)(r.Completion.PromptIds.Count + r.Completion.TokenIds.Count));
            double forward = rows.Sum(r => { int t = r.Completion.PromptIds.Count + r.Completion.TokenIds.Count; return t * Flops.ForwardPerToken(policy.Config, t); });

            // Reference and sampling-policy log-probs, computed once before any update (right-padded: no attention mask).
            var refLogprobs = new List<Tensor?>();
            var oldLogprobs = new List<Tensor?>();
            using (no_grad())
            {
                foreach (var (ids, _) in withMicro)
                {
                    refLogprobs.Add(reference is null ? null : TokenLogprobs.Compute(reference, ids, null, Options.Temperature).DetachFromDisposeScope());
                    oldLogprobs.Add(Options.UpdatesPerBatch > 1 ? TokenLogprobs.Compute(policy.Network, ids, null, Options.Temperature).DetachFromDisposeScope() : null);
                }
            }
            if (reference is not null) flops += forward;
            if (Options.UpdatesPerBatch > 1) flops += forward;

            if (reference is not null && Options.Policy.Placement == KlPlacement.Reward)
            {
                int row = 0;
                for (int m = 0; m < withMicro.Count; m++)
                {
                    using var scope = NewDisposeScope();
                    using var _ = no_grad();
                    var current = oldLogprobs[m] ?? TokenLogprobs.Compute(policy.Network, withMicro[m].Ids, null, Options.Temperature);
                    foreach (var k in KlTerm.ForReward(current, refLogprobs[m]!, withMicro[m].CompletionMask, Options.Policy)) rewards[row++] -= k;
                }
            }

            double[] advantages = finalAdvantages ?? algorithm.Advantages(rewards, Options.GroupSize);
            double[] rowAdvantages = trained.Select(i => advantages[i]).ToArray();
            long completionTokens = rollouts.Sum(r => (long)r.Completion.TokenIds.Count);
            double normalizer = algorithm.Normalization switch
            {
                LossNormalization.SequenceMean => rollouts.Count,
                LossNormalization.TokenMean => Math.Max(1, completionTokens),
                LossNormalization.ConstantLength => rollouts.Count * (double)Options.MaxCompletionTokens,
                _ => throw new InvalidOperationException(algorithm.Normalization.ToString()),
            };
            var policyOptions = Options.Policy with { MaxCompletionTokens = Options.MaxCompletionTokens };

            double loss = 0, kl = 0, entropy = 0, clip = 0, ratio = 0, gradNorm = 0, lr = 0, weight = 0;
            policy.Network.train();
            for (int epoch = 0; epoch < Options.UpdatesPerBatch; epoch++)
            {
                int row = 0;
                for (int m = 0; m < withMicro.Count; m++)
                {
                    using var scope = NewDisposeScope();
                    var (ids, mask) = withMicro[m];
                    long count = ids.shape[0];
                    var (lp, ent) = TokenLogprobs.ComputeWithEntropy(policy.Network, ids, null, Options.Temperature);
                    var adv = tensor(rowAdvantages.Skip(row).Take((int)count).ToArray(), device: policy.Network.Device).to(lp.dtype);
                    row += (int)count;
                    var batch = new PolicyBatch(lp, oldLogprobs[m] ?? lp.detach(), refLogprobs[m], mask, adv, normalizer);
                    var result = algorithm.Loss(batch, policyOptions);
                    result.Loss.backward();
                    double tokens = mask.sum().item<float>();
                    loss += result.Loss.to(ScalarType.Float64).item<double>();
                    kl += result.Kl * tokens;
                    clip += result.ClipFraction * tokens;
                    ratio += result.RatioMean * tokens;
                    entropy += PolicyMath.MaskedMean(ent, mask) * tokens;
                    weight += tokens;
                }
                using (var scope = NewDisposeScope()) gradNorm = nn.utils.clip_grad_norm_(optimizer.Parameters, Options.MaxGradNorm);
                lr = Options.LearningRate * Math.Min(1.0, (State.Step + 1) / (double)Math.Max(1, Options.WarmupSteps));
                optimizer.Update(lr);
                optimizer.ZeroGrad();
                flops += rows.Sum(r => { int t = r.Completion.PromptIds.Count + r.Completion.TokenIds.Count; return t * Flops.TrainPerToken(policy.Config, t); });
            }
            foreach (var t in refLogprobs.Concat(oldLogprobs)) t?.Dispose();
            double w = Math.Max(1, weight);
            return new UpdateStats(loss / Options.UpdatesPerBatch, kl / w, entropy / w, clip / w, ratio / w, gradNorm, lr, sequenceTokens * Options.UpdatesPerBatch, flops, withGradient);
        }
        finally
        {
            foreach (var (ids, mask) in withMicro) { ids.Dispose(); mask.Dispose(); }
        }
    }

    public void Dispose()
    {
        optimizer.Dispose();
        reference?.Dispose();
    }
}
