using System.Diagnostics;
using Ponder.Algorithms;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Rollouts;
using Ponder.Rollouts.Monitoring;
using Ponder.Tasks;
using Ponder.Text;
using Ponder.Training;

namespace Ponder.Reinforcement;

/// <summary>How a step's rollouts were sampled, for its metrics.</summary>
sealed record Sampling(
    double GenerateSeconds,
    double GradeSeconds,
    long GeneratedTokens,
    double ZeroSignalFraction,
    int Rounds,
    int GraderErrors,
    double Flops
);

/// <summary>One step's graded, rewarded rollouts.</summary>
/// <param name="Verdicts">The CoT monitor's on each rollout (all allowed without a monitor).</param>
/// <param name="PoolIndices">Each rollout's problem, as its index in the run's pool.</param>
/// <param name="Position">The data position after the problems they used.</param>
/// <param name="Version">The policy version (optimizer steps) that sampled them.</param>
sealed record StepRollouts(
    List<Rollout> Rollouts,
    List<double> Rewards,
    List<CotVerdict> Verdicts,
    List<int> PoolIndices,
    Sampling Stats,
    long Position,
    int Version
)
{
    /// <summary>The monitor's verdicts on every rollout the step sampled, those of groups dynamic sampling dropped
    /// included (a group where every sample hacked its reward alike has no signal and is dropped): the flag rate is
    /// over these. Null: the same as <see cref="Verdicts"/>.</summary>
    public List<CotVerdict>? Sampled { get; init; }
}

/// <summary>
/// task → sample → grade → reward for one RL step: G completions for each of the step's problems, with the policy's own
/// engine or on a fleet (<see cref="IRolloutFleet"/>). With dynamic sampling (DAPO) it drops groups whose rewards are
/// all equal and samples more problems, up to <see cref="RlOptions.MaxSamplingRounds"/> rounds. A function of (step,
/// data position) and the weights that sample, so a fleet can sample the next step while the trainer updates. The CoT
/// monitor, when there is one, reads every sampled rollout before it is rewarded (<see cref="CotReview"/>).
/// </summary>
sealed class RolloutSampler(
    LanguageModel policy,
    IReasoningTask task,
    ChatTemplate template,
    RlOptions options,
    IRolloutFleet? fleet,
    ICotMonitor? monitor,
    ToolUse? tools = null
)
{
    public StepRollouts Sample(IReadOnlyList<Problem> pool, int step, long position, int version)
    {
        var generator = fleet is null ? policy.CreateGenerator() : null;
        var kept = new List<Rollout>();
        var keptRewards = new List<double>();
        var keptVerdicts = new List<CotVerdict>();
        var allVerdicts = new List<CotVerdict>();
        var keptIndices = new List<int>();
        Round? last = null;
        double generate = 0,
            grade = 0,
            flops = 0;
        long generated = 0;
        int groups = 0,
            zeroSignal = 0,
            errors = 0,
            round = 0,
            sampled = 0;
        int rounds = options.DynamicSampling ? options.MaxSamplingRounds : 1;
        int g = options.GroupSize;
        while (kept.Count < options.RolloutsPerStep && round < rounds)
        {
            var indices = Enumerable
                .Range(0, (options.RolloutsPerStep - kept.Count) / g)
                .Select(i => DataOrder.Index(position + i, pool.Count, options.Seed))
                .ToArray();
            position += indices.Length;
            var r = SampleRound(generator, [.. indices.Select(i => pool[i])], step, round, sampled);
            sampled += r.Rollouts.Count;
            (generate, grade, flops) = (generate + r.GenerateSeconds, grade + r.GradeSeconds, flops + r.Flops);
            generated += r.GeneratedTokens;
            errors += r.Rollouts.Count(x => x.Grade.Error is not null);
            last = r with { Indices = [.. indices.SelectMany(i => Enumerable.Repeat(i, g))] };
            allVerdicts.AddRange(r.Verdicts);
            for (int k = 0; k < r.Rollouts.Count / g; k++)
            {
                var groupRewards = r.Rewards.GetRange(k * g, g);
                bool signal = Dapo.HasSignal(groupRewards);
                groups++;
                if (!signal)
                    zeroSignal++;
                if ((!signal && options.DynamicSampling) || kept.Count >= options.RolloutsPerStep)
                    continue;
                kept.AddRange(r.Rollouts.GetRange(k * g, g));
                keptRewards.AddRange(groupRewards);
                keptVerdicts.AddRange(r.Verdicts.GetRange(k * g, g));
                keptIndices.AddRange(Enumerable.Repeat(indices[k], g));
            }
            round++;
        }
        // nothing had signal: train on the last round anyway (zero advantages, KL only)
        if (kept.Count == 0 && last is not null)
            (kept, keptRewards, keptVerdicts, keptIndices) = (last.Rollouts, last.Rewards, last.Verdicts, last.Indices);
        double zeroFraction = groups == 0 ? 0 : zeroSignal / (double)groups;
        var stats = new Sampling(generate, grade, generated, zeroFraction, round, errors, flops);
        return new StepRollouts(kept, keptRewards, keptVerdicts, keptIndices, stats, position, version)
        {
            Sampled = allVerdicts,
        };
    }

    /// <summary>One sampling round: G graded, rewarded completions for each of the next problems.</summary>
    sealed record Round(
        List<Rollout> Rollouts,
        List<double> Rewards,
        List<CotVerdict> Verdicts,
        double GenerateSeconds,
        double GradeSeconds,
        long GeneratedTokens,
        double Flops
    )
    {
        public List<int> Indices { get; init; } = [];
    }

    /// <param name="first">Rollouts the step sampled in earlier rounds: this round's are numbered on from there for
    /// the monitor.</param>
    Round SampleRound(BatchGenerator? generator, Problem[] problems, int step, int round, int first)
    {
        if (tools is not null)
            return SampleEpisodes(problems, step, round, first);
        var prompts = problems
            .Select(p => template.Render([new ChatMessage(ChatRole.User, task.Prompt(p))]).Ids)
            .ToArray();
        var sw = Stopwatch.StartNew();
        var sampling = Sampling(step, round);
        var completions = generator is null
            ? fleet!.Generate(prompts, sampling)
            : generator.Generate(prompts, sampling);
        double generate = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var rollouts = Grade(problems, completions);
        var verdicts = CotReview.Review(monitor, rollouts, step + 1, first); // ids name the step as it is logged
        var rewards = rollouts.Select((r, i) => Rewards.For(r, options, verdicts[i].Action)).ToList();
        double grade = sw.Elapsed.TotalSeconds;
        long generated = completions.Sum(c => (long)c.TokenIds.Count);
        return new Round(rollouts, rewards, verdicts, generate, grade, generated, RolloutFlops(prompts, completions));
    }

    /// <summary>A round of multi-turn episodes: generation and the environment's steps interleave, so their time
    /// is all generation.</summary>
    Round SampleEpisodes(Problem[] problems, int step, int round, int first)
    {
        var sw = Stopwatch.StartNew();
        var sampling = Sampling(step, round);
        var rollouts = MultiTurnRollouts
            .Run(policy, task, tools!.Environment, problems, sampling, tools.Turns)
            .ToList();
        double generate = sw.Elapsed.TotalSeconds;
        var verdicts = CotReview.Review(monitor, rollouts, step + 1, first);
        var rewards = rollouts.Select((r, i) => Rewards.For(r, options, verdicts[i].Action)).ToList();
        var completions = rollouts.Select(r => r.Completion).ToList();
        long generated = completions.Sum(c => (long)c.ModelTokens);
        var prompts = completions.Where(c => c.SampleIndex == 0).Select(c => c.PromptIds).ToArray();
        return new Round(rollouts, rewards, verdicts, generate, 0, generated, RolloutFlops(prompts, completions));
    }

    /// <summary>A round's sampling: G samples a problem at the run's temperature, seeded by step and round.</summary>
    SamplingOptions Sampling(int step, int round) =>
        new()
        {
            Temperature = options.Temperature,
            MaxNewTokens = options.MaxCompletionTokens,
            N = options.GroupSize,
            Seed = DataOrder.SeedFor(options.Seed, step, round),
        };

    List<Rollout> Grade(IReadOnlyList<Problem> problems, IReadOnlyList<Completion> completions) =>
        [.. LocalRollouts.GradeAll(task, completions, i => problems[completions[i].PromptIndex])];

    /// <summary>Rollouts read back from a checkpoint (<see cref="AheadRollouts"/>), graded, reviewed and rewarded
    /// again: the same task, monitor and options give the same grades. They are numbered for the monitor in the order
    /// they were kept.</summary>
    public StepRollouts Regrade(IReadOnlyList<Problem> pool, AheadRollouts.Saved saved)
    {
        var rollouts = LocalRollouts.GradeAll(task, saved.Completions, i => pool[saved.PoolIndices[i]]).ToList();
        var verdicts = CotReview.Review(monitor, rollouts, saved.Step + 1, first: 0);
        var rewards = rollouts.Select((r, i) => Rewards.For(r, options, verdicts[i].Action)).ToList();
        return new StepRollouts(
            rollouts,
            rewards,
            verdicts,
            [.. saved.PoolIndices],
            saved.Stats,
            saved.Position,
            saved.Version
        );
    }

    double RolloutFlops(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<Completion> completions)
    {
        // Each prompt is prefilled once (its cache fans out to the G samples); each generated token attends to the
        // prompt and half its own completion on average.
        double f = prompts.Sum(p => p.Count * Flops.ForwardPerToken(policy.Config, (p.Count + 1) / 2.0));
        f += completions.Sum(c =>
            c.ModelTokens * Flops.ForwardPerToken(policy.Config, c.PromptIds.Count + c.TokenIds.Count / 2.0)
        );
        return f + completions.Sum(ContinuationFlops);
    }

    /// <summary>A multi-turn rollout's continuations: after each run of the environment's tokens the next turn
    /// prefills its whole context again (<see cref="MultiTurnRollouts"/>).</summary>
    double ContinuationFlops(Completion c)
    {
        double f = 0;
        for (int i = 0; i < c.TokenIds.Count; i++)
        {
            bool endsResult = !c.IsModelToken(i) && (i + 1 == c.TokenIds.Count || c.IsModelToken(i + 1));
            if (endsResult)
            {
                int n = c.PromptIds.Count + i + 1;
                f += n * Flops.ForwardPerToken(policy.Config, (n + 1) / 2.0);
            }
        }
        return f;
    }
}
