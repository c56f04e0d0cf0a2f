using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Plots;
using Ponder.Tasks;
using Ponder.TestTime;

namespace Ponder.Tests.TestTime;

/// <summary>The scaling sweep on a tiny random model: shape of the table, the files, compute accounting, bad
/// input.</summary>
public sealed class ScalingSweepTests
{
    static readonly ScalingOptions Fast = new()
    {
        Budgets = [0, 8],
        SampleCounts = [1, 2],
        AnswerTokens = 6,
        Temperature = 1.0,
        TopP = 1.0,
        Seed = 3,
    };

    [Fact]
    public void Given_two_budgets_and_samples_1_2_When_swept_Then_every_budget_strategy_and_count_is_reported()
    {
        using var dir = new TempDir();
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 4);
        var task = new TaskSpec("arithmetic").Create();
        var problems = task.Problems(TaskSplit.Test, 3);
        // A stand-in scorer: later samples score higher, so best-of-N and weighted majority have something to read.
        var scorer = new SweepScorer(
            rollouts => rollouts.Select(r => 0.1 + 0.2 * r.Completion.SampleIndex).ToArray(),
            lm.Config
        );

        var result = ScalingSweep.Run(lm, task, problems, Fast, scorer, "tiny");

        // Per budget: single@1, then cons, rerank, weighted at N = 1 and 2 → 7 points; 2 budgets → 14.
        Assert.Equal(14, result.Points.Count);
        foreach (int budget in Fast.Budgets)
        {
            var at = result.Points.Where(p => p.Budget == budget).ToArray();
            Assert.Equal(
                ["single@1", "cons@1", "cons@2", "rerank@1", "rerank@2", "weighted@1", "weighted@2"],
                at.Select(p => p.Label)
            );
            Assert.All(at, p => Assert.InRange(p.Accuracy, 0, 1));
            var cons1 = at.Single(p => p.Label == "cons@1");
            var cons2 = at.Single(p => p.Label == "cons@2");
            Assert.Equal(2 * cons1.TokensPerProblem, cons2.TokensPerProblem, 9); // N samples cost N times one
            // scoring costs FLOPs too
            Assert.True(at.Single(p => p.Label == "rerank@1").FlopsPerProblem > cons1.FlopsPerProblem);
        }
        // A budget of 0 answers directly: the generator closes the reasoning at once.
        Assert.All(
            result.Points.Where(p => p.Budget == 0),
            p => Assert.True(p.ReasoningTokens <= 1, $"reasoning tokens {p.ReasoningTokens}")
        );

        var files = ScalingReport.Write(dir.Path, result).Append(ScalingPlot.Write(dir.Path, result));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
        Assert.Equal(0x89, File.ReadAllBytes(Path.Combine(dir.Path, ScalingPlot.FileName))[0]); // PNG signature
        var rows = File.ReadAllLines(Path.Combine(dir.Path, ScalingReport.MarkdownFile))
            .Where(l => l.StartsWith("| ", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(1 + 14, rows.Length); // header + one row per point
        Assert.Contains(
            "\"strategy\": \"best_of_n\"",
            File.ReadAllText(Path.Combine(dir.Path, ScalingReport.JsonFile)),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Given_no_scorer_When_measured_Then_only_the_unscored_strategies_are_reported()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 4);
        var task = new TaskSpec("arithmetic").Create();
        var result = ScalingSweep.Run(lm, task, task.Problems(TaskSplit.Test, 2), Fast with { Budgets = [4] });
        Assert.Equal(["single@1", "cons@1", "cons@2"], result.Points.Select(p => p.Label));
        Assert.False(result.Scored);
    }

    [Fact]
    public void Given_a_prompt_and_a_completion_When_counting_flops_Then_each_token_sees_its_own_context()
    {
        var c = TinyModels.Qwen2();
        // Prompt of 3: contexts 1, 2, 3. Completion of 3 tokens: two decode steps with contexts 4 and 5 (the last token
        // is not fed back).
        double expected = new[] { 1, 2, 3, 4, 5 }.Sum(s => Flops.ForwardPerToken(c, s));
        Assert.Equal(expected, TestTimeCompute.GenerationFlops(c, 3, 3), 6);
        Assert.Equal(new[] { 1, 2 }.Sum(s => Flops.ForwardPerToken(c, s)), TestTimeCompute.ScoringFlops(c, 2), 6);
    }

    [Fact]
    public void Given_bad_budgets_or_counts_When_validated_Then_the_message_names_the_limit()
    {
        var big = Assert.Throws<PonderException>(() => (Fast with { Budgets = [64, 5000] }).Validate(1024));
        Assert.Contains("5000 is larger than the model's context of 1024", big.Message, StringComparison.Ordinal);
        Assert.Throws<PonderException>(() => (Fast with { SampleCounts = [1, 0] }).Validate(1024));
        Assert.Throws<PonderException>(() => (Fast with { SampleCounts = [-2] }).Validate(1024));
        Assert.Throws<PonderException>(() => (Fast with { Budgets = [-1] }).Validate(1024));
        (Fast with { Budgets = [0] }).Validate(1024); // 0: answer directly, allowed
    }

    [Fact]
    public void Given_points_When_taking_the_frontier_Then_dominated_points_are_dropped_and_flat_runs_kept()
    {
        static ScalingPoint P(double flops, double accuracy) =>
            new(0, 1, Strategy.Majority, accuracy, 1, flops, 0, 0, 1);
        // Sorted by compute: (1, .2) (2, .1 dominated) (3, .2 flat, kept) (4, .5).
        var frontier = ScalingReport.Frontier([P(4, 0.5), P(2, 0.1), P(1, 0.2), P(3, 0.2)]);
        Assert.Equal([(1.0, 0.2), (3.0, 0.2), (4.0, 0.5)], frontier);
    }
}
