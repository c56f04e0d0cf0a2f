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
public sealed record SweepScorer(Func<IReadOnlyList<Rollout>, IReadOnlyList<double>> Score, ModelConfig Config);

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
/// BestOfN and WeightedMajority need a <see cref="SweepScorer"/>.
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
            }.Validate();
            var rollouts = LocalRollouts.Run(lm, task, problems, sampling, progress);
            var scores = scorer?.Score(rollouts);
            points.AddRange(Measure(budget, rollouts, scores, options, lm.Config, scorer?.Config));
        }
        return new ScalingResult(task.Name, modelName ?? "", problems.Count, options, scorer is not null, points);
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
        foreach (var strategy in Strategies.All)
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
        return points;
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
