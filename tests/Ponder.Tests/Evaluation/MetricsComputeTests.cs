using Ponder.Evaluation;

namespace Ponder.Tests.Evaluation;

/// <summary>Dataset-level metrics: means over problems, uneven n, k larger than n, scores.</summary>
public sealed class MetricsComputeTests
{
    static GradedSample S(string problem, string? answer, bool correct, double? score = null) =>
        new(problem, 0, answer, correct, score);

    [Fact]
    public void Given_problems_with_different_n_Then_each_uses_its_own_n_and_a_warning_says_so()
    {
        GradedSample[] samples =
        [
            S("p1", "1", true),
            S("p1", "2", false),
            S("p1", "1", true),
            S("p1", "3", false), // n=4, c=2
            S("q2", "7", true),
            S("q2", "7", true), // n=2, c=2
        ];
        var report = Metrics.Compute(samples, [1, 2, 4]);

        // pass@1 = mean(2/4, 2/2) = 0.75 (not 4/6: the mean is over problems)
        Assert.Equal(0.75, report.PassAt1, 12);
        Assert.Equal(2, report.Problems);
        Assert.Equal(6, report.Samples);
        // k=2: p1: 1 − C(2,2)/C(4,2) = 1 − 1/6 = 5/6; q2: n − c = 0 < 2 → 1. Mean (5/6 + 1)/2 = 11/12.
        var k2 = report.PerK[1];
        Assert.Equal(11.0 / 12, k2.PassAtK, 12);
        // cons@2: p1 groups [1,2] → tie, "1" first, right; [1,3] → "1", right → 1; q2 → 1. Mean 1.
        Assert.Equal(1.0, k2.ConsAtK, 12);
        // k=4: only p1 (q2 has 2 samples); pass@4 = 1 (n − c = 2 < 4); cons@4: "1" has 2 votes → 1.
        var k4 = report.PerK[2];
        Assert.Equal(1, k4.Problems);
        Assert.Equal(1.0, k4.PassAtK);
        Assert.Null(k4.RerankAtK);
        Assert.Contains(report.Warnings, w => w.Contains("each problem's own n", StringComparison.Ordinal));
        Assert.Contains(
            report.Warnings,
            w => w.Contains("k=4: 1 of 2 problems have fewer than 4 samples", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void Given_k_larger_than_every_n_Then_it_is_an_error()
    {
        GradedSample[] samples = [S("p", "1", true), S("p", "1", true), S("p", "1", true), S("p", "1", true)];
        var e = Assert.Throws<PonderException>(() => Metrics.Compute(samples, [1, 8]));
        Assert.StartsWith("--k 8 is larger than --samples 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_scores_on_every_sample_Then_rerank_and_weighted_are_reported_by_name()
    {
        GradedSample[] samples = [S("p", "1", false, 0.1), S("p", "2", true, 0.9)];
        var report = Metrics.Compute(samples, [1, 2]);
        var named = report.Named().Select(kv => kv.Key).ToArray();
        Assert.Equal(
            ["pass@1", "cons@1", "rerank@1", "weighted@1", "pass@2", "cons@2", "rerank@2", "weighted@2"],
            named
        );
        // k=2: rerank picks 0.9 → right; weighted: "2" 0.9 > "1" 0.1 → right; majority tie → "1" first → wrong.
        Assert.Equal(1.0, report.PerK[1].RerankAtK);
        Assert.Equal(1.0, report.PerK[1].WeightedAtK);
        Assert.Equal(0.0, report.PerK[1].ConsAtK);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void Given_scores_on_some_samples_Then_rerank_is_left_out_with_a_warning()
    {
        var report = Metrics.Compute([S("p", "1", true, 0.5), S("p", "1", true)], [1]);
        Assert.False(report.HasScores);
        Assert.Contains(report.Warnings, w => w.StartsWith("1 of 2 samples have a score", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_samples_of_interleaved_problems_Then_each_problem_keeps_file_order()
    {
        GradedSample[] samples = [S("a", "x", true), S("b", "y", false), S("a", "z", false)];
        var groups = Metrics.GroupByProblem(samples);
        Assert.Equal(["x", "z"], groups[0].Select(s => s.Canonical));
        Assert.Equal(["y"], groups[1].Select(s => s.Canonical));
    }
}
