using Ponder.Evaluation;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Rollouts;
using Ponder.Tasks;

namespace Ponder.TestTime;

/// <summary>One measured point: a strategy at a thinking budget and sample count, and the test-time compute it
/// cost.</summary>
/// <param name="Accuracy">Share of problems the strategy answers correctly (mean over each problem's disjoint groups of
/// N samples).</param>
/// <param name="TokensPerProblem">Generated tokens (reasoning + answer) spent per problem: N × mean tokens per
/// sample.</param>
/// <param name="FlopsPerProblem">Forward FLOPs per problem: N × (generation + scorer scoring when the strategy reads
/// scores).</param>
/// <param name="ReasoningTokens">Mean reasoning tokens per sample at this budget.</param>
/// <param name="BudgetCutRate">Share of samples whose thinking the budget cut.</param>
public sealed record ScalingPoint(
    int Budget,
    int Samples,
    Strategy Strategy,
    double Accuracy,
    double TokensPerProblem,
    double FlopsPerProblem,
    double ReasoningTokens,
    double BudgetCutRate,
    int Problems
)
{
    public string Label => $"{Strategies.Name(Strategy)}@{Samples}";
}

/// <summary>Scorer scores for the sweep: P(correct) per rollout, and the scorer's config to count scoring
/// FLOPs.</summary>
/// <param name="Process">The process scorer behind <paramref name="Score"/> when it is one: beam and DVTS search with
/// it.</param>
public sealed record SweepScorer(
    Func<IReadOnlyList<Rollout>, IReadOnlyList<double>> Score,
    ModelConfig Config,
    Scoring.ProcessScorer? Process = null
)
{
    /// <summary>A process scorer as a sweep scorer: a solution's score is its aggregated step scores.</summary>
    public static SweepScorer Of(Scoring.ProcessScorer prm)
    {
        ArgumentNullException.ThrowIfNull(prm);
        return new SweepScorer(rollouts => prm.Score(rollouts), prm.Model.Body.Config, prm);
    }
}

/// <summary>What a sweep measured, with what it was run on.</summary>
public sealed record ScalingResult(
    string Task,
    string Model,
    int Problems,
    ScalingOptions Options,
    bool Scored,
    IReadOnlyList<ScalingPoint> Points
);

/// <summary>
/// The test-time scaling sweep (o1's second figure): for each thinking budget, sample max(N) completions per problem
/// once, grade them, and measure every strategy at every N from those samples — a problem's samples are cut into
/// ⌊max N / N⌋ disjoint consecutive groups of N (the first group is the prefix; averaging over all groups lowers the
/// variance at no extra sampling). Single is measured at N = 1 only (its choice ignores the other samples).
/// BestOfN and WeightedMajority need a <see cref="SweepScorer"/>; DeepConf reads the samples' token confidences; beam
/// and DVTS run their own searches (<see cref="TreeSearch"/>) at <see cref="ScalingOptions.SearchBudget"/> with the
/// sweep's process scorer.
/// </summary>
public static class ScalingSweep
{
    public static ScalingResult Run(
        LanguageModel lm,
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        ScalingOptions options,
        SweepScorer? scorer = null,
        string? modelName = null,
        IProgress<int>? progress = null
    )
    {
        options.Validate(lm.Config.MaxPositionEmbeddings);
        if (problems.Count == 0)
            throw new PonderException($"--task {task.Name}: no problems to measure.");
        bool searches = options.Strategies.Any(Strategies.Searches);
        if (searches && scorer?.Process is null)
        {
            throw new PonderException(
                "--strategies beam/dvts search with a process scorer: pass --scorer DIR made by "
                    + "`ponder scorer train --process`."
            );
        }
        var points = new List<ScalingPoint>();
        foreach (int budget in options.Budgets)
        {
            var sampling = new SamplingOptions
            {
                N = options.MaxSamples,
                Temperature = options.Temperature,
                TopP = options.TopP,
                Seed = options.Seed,
                MaxThinkingTokens = budget,
                MaxNewTokens = budget + options.AnswerTokens,
                ConfidenceTopK = options.Strategies.Contains(Strategy.DeepConf) ? options.DeepConf.TopK : null,
            }.Validate();
            var rollouts = LocalRollouts.Run(lm, task, problems, sampling, progress);
            var scores = scorer?.Score(rollouts);
            points.AddRange(Measure(budget, rollouts, scores, options, lm.Config, scorer?.Config));
            if (searches && budget == (options.SearchBudget ?? options.Budgets.Max()))
                points.AddRange(Search(lm, task, problems, options, scorer!.Process!, budget));
        }
        return new ScalingResult(task.Name, modelName ?? "", problems.Count, options, scorer is not null, points);
    }

    /// <summary>Beam search and DVTS at every <see cref="ScalingOptions.SearchCounts"/> N.</summary>
    static IEnumerable<ScalingPoint> Search(
        LanguageModel lm,
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        ScalingOptions options,
        Scoring.ProcessScorer prm,
        int budget
    )
    {
        var template = lm.Chat ?? throw new PonderException("the model's tokenizer lacks the ChatML thinking tokens.");
        var prompts = problems
            .Select(p => template.Render([new Text.ChatMessage(Text.ChatRole.User, task.Prompt(p))]).Ids)
            .ToArray();
        var settings = new StepSettings(
            options.Temperature,
            options.TopP,
            budget,
            budget + options.AnswerTokens,
            prm.Separator,
            options.Seed
        );
        foreach (var strategy in options.Strategies.Where(Strategies.Searches))
        {
            var kind = strategy == Strategy.Beam ? TreeSearchKind.Beam : TreeSearchKind.Dvts;
            foreach (int n in options.SearchCounts)
            {
                var outcomes = TreeSearch.Run(lm, prm, task, problems, prompts, kind, n, options.BeamWidth, settings);
                var finished = outcomes.SelectMany(o => o.Finished).ToArray();
                yield return new ScalingPoint(
                    budget,
                    n,
                    strategy,
                    outcomes.Average(o => o.Correct ? 1.0 : 0.0),
                    outcomes.Average(o => o.Tokens),
                    outcomes.Average(o => o.Flops),
                    finished.Length == 0 ? 0 : finished.Average(r => (double)r.ReasoningTokens),
                    finished.Length == 0 ? 0 : finished.Average(r => r.Completion.BudgetCut ? 1.0 : 0.0),
                    problems.Count
                );
            }
        }
    }

    /// <summary>Every strategy at every sample count for one budget's rollouts (pure: no sampling).</summary>
    public static IReadOnlyList<ScalingPoint> Measure(
        int budget,
        IReadOnlyList<Rollout> rollouts,
        IReadOnlyList<double>? scores,
        ScalingOptions options,
        ModelConfig policy,
        ModelConfig? scorer
    )
    {
        if (scores is not null && scores.Count != rollouts.Count)
            throw new ArgumentException($"{scores.Count} scores for {rollouts.Count} rollouts.", nameof(scores));
        var graded = rollouts
            .Select(
                (r, i) =>
                    new GradedSample(
                        r.Problem.Id,
                        r.Completion.SampleIndex,
                        r.Grade.Canonical,
                        r.Grade.Correct,
                        scores?[i]
                    )
            )
            .ToArray();
        var byProblem = Metrics.GroupByProblem(graded);
        double tokens = rollouts.Average(r => (double)r.Completion.TokenIds.Count);
        double generation = rollouts.Average(r =>
            TestTimeCompute.GenerationFlops(policy, r.Completion.PromptIds.Count, r.Completion.TokenIds.Count)
        );
        double scoring = scorer is null
            ? 0
            : rollouts.Average(r =>
                TestTimeCompute.ScoringFlops(scorer, r.Completion.PromptIds.Count + r.Completion.TokenIds.Count)
            );
        double reasoning = rollouts.Average(r => (double)r.ReasoningTokens);
        double cut = rollouts.Average(r => r.Completion.BudgetCut ? 1.0 : 0.0);

        var points = new List<ScalingPoint>();
        foreach (var strategy in Strategies.All.Where(options.Strategies.Contains))
        {
            if (Strategies.NeedsScores(strategy) && scores is null)
                continue;
            IEnumerable<int> counts = strategy == Strategy.Single ? [1] : options.SampleCounts.Distinct().Order();
            foreach (int n in counts)
            {
                double accuracy = byProblem.Average(p => Accuracy(strategy, p, n));
                double flops = n * (generation + (Strategies.NeedsScores(strategy) ? scoring : 0));
                points.Add(
                    new ScalingPoint(budget, n, strategy, accuracy, n * tokens, flops, reasoning, cut, byProblem.Count)
                );
            }
        }
        if (options.Strategies.Contains(Strategy.DeepConf))
            points.AddRange(DeepConfPoints(budget, rollouts, graded, options, policy, reasoning, cut));
        return points;
    }

    /// <summary>DeepConf at every sample count: online over each disjoint group of N samples of a problem, tokens and
    /// FLOPs as it would have spent them.</summary>
    static IEnumerable<ScalingPoint> DeepConfPoints(
        int budget,
        IReadOnlyList<Rollout> rollouts,
        GradedSample[] graded,
        ScalingOptions options,
        ModelConfig policy,
        double reasoning,
        double cut
    )
    {
        if (rollouts.Any(r => r.Completion.TokenConfidence is null))
        {
            throw new ArgumentException(
                "DeepConf needs token confidences: sample with ConfidenceTopK.",
                nameof(rollouts)
            );
        }
        var traces = rollouts
            .Select(
                (r, i) => new ConfidentTrace(graded[i], r.Completion.TokenConfidence!, r.Completion.PromptIds.Count)
            )
            .GroupBy(t => t.Sample.ProblemId, StringComparer.Ordinal)
            .Select(g => g.ToArray())
            .ToArray();
        foreach (int n in options.SampleCounts.Distinct().Order())
        {
            // per problem, each disjoint group of n run once: (correct, tokens, FLOPs)
            var runs = traces
                .Select(p =>
                    Enumerable
                        .Range(0, p.Length / n)
                        .Select(g => DeepConfGroup(p[(g * n)..((g + 1) * n)], options.DeepConf, policy))
                        .ToArray()
                )
                .ToArray();
            double accuracy = runs.Average(p => p.Average(r => r.Correct));
            double tokens = runs.Average(p => p.Average(r => r.Tokens));
            double flops = runs.Average(p => p.Average(r => r.Flops));
            yield return new ScalingPoint(
                budget,
                n,
                Strategy.DeepConf,
                accuracy,
                tokens,
                flops,
                reasoning,
                cut,
                traces.Length
            );
        }
    }

    /// <summary>Online DeepConf over one group of samples: whether it chose right, its tokens and FLOPs.</summary>
    static (double Correct, double Tokens, double Flops) DeepConfGroup(
        ConfidentTrace[] group,
        DeepConfOptions options,
        ModelConfig policy
    )
    {
        var o = DeepConf.Online(group, options);
        double flops = o
            .Generated.Select((t, i) => TestTimeCompute.GenerationFlops(policy, group[i].PromptTokens, t))
            .Sum();
        return (o.Choice?.Correct == true ? 1.0 : 0.0, o.Tokens, flops);
    }

    /// <summary>The share of a problem's ⌊count / n⌋ disjoint groups of n samples where the strategy chooses a correct
    /// answer.</summary>
    public static double Accuracy(Strategy strategy, IReadOnlyList<GradedSample> samples, int n)
    {
        int groups = samples.Count / n;
        if (groups == 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(n),
                $"N={n} is larger than the problem's {samples.Count} samples."
            );
        }

        int hits = 0;
        for (int g = 0; g < groups; g++)
        {
            if (Strategies.ChoosesCorrect(strategy, samples.Skip(g * n).Take(n).ToArray()))
                hits++;
        }

        return (double)hits / groups;
    }
}
