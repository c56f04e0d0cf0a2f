using Ponder.Evaluation;

namespace Ponder.Tests.Evaluation;

/// <summary>Metric functions against hand-computed values; the arithmetic is in the comments.</summary>
public sealed class MetricsTests
{
    static GradedSample S(string? answer, bool correct, double? score = null, string problem = "p") =>
        new(problem, 0, answer, correct, score);

    [Theory]
    [InlineData(5, 2, 0.4)] // pass@1 = c/n = 2/5
    [InlineData(8, 0, 0.0)] // nothing correct
    [InlineData(8, 8, 1.0)]
    public void Given_k_1_Then_pass_at_k_is_c_over_n(int n, int c, double expected) =>
        Assert.Equal(expected, Metrics.PassAtK(n, c, 1), 12);

    [Fact]
    public void Given_no_correct_sample_Then_pass_at_k_is_0_for_every_k()
    {
        for (int k = 1; k <= 6; k++)
            Assert.Equal(0.0, Metrics.PassAtK(6, 0, k));
    }

    [Fact]
    public void Given_fewer_wrong_samples_than_k_Then_every_k_subset_holds_a_correct_one()
    {
        // n − c = 1 wrong sample < k = 2: any 2 of the 5 include a correct one.
        Assert.Equal(1.0, Metrics.PassAtK(5, 4, 2));
        Assert.Equal(1.0, Metrics.PassAtK(4, 1, 4)); // k = n: the one subset is everything
    }

    [Fact]
    public void Given_n5_c2_k2_Then_pass_at_k_is_0_7()
    {
        // 1 − C(n−c, k)/C(n, k) = 1 − C(3,2)/C(5,2) = 1 − 3/10 = 0.7.
        // Product form: Π_{i=4..5} (1 − 2/i) = (1 − 2/4)(1 − 2/5) = 0.5 · 0.6 = 0.3 → 1 − 0.3 = 0.7.
        Assert.Equal(0.7, Metrics.PassAtK(5, 2, 2), 12);
    }

    [Fact]
    public void Given_all_small_n_c_k_Then_the_product_equals_the_binomial_ratio()
    {
        static double Choose(int n, int k) =>
            k < 0 || k > n ? 0 : Enumerable.Range(1, k).Aggregate(1.0, (acc, i) => acc * (n - k + i) / i);
        for (int n = 1; n <= 12; n++)
        {
            for (int c = 0; c <= n; c++)
            {
                for (int k = 1; k <= n; k++)
                    Assert.Equal(1 - Choose(n - c, k) / Choose(n, k), Metrics.PassAtK(n, c, k), 12);
            }
        }
    }

    [Fact]
    public void Given_groups_with_a_tie_null_answers_and_a_leftover_Then_cons_at_4_is_one_third()
    {
        GradedSample[] samples =
        [
            // group 1: B 2 votes, A 2 votes — a tie; B was seen first and is wrong → 0
            S("B", false),
            S("A", true),
            S("A", true),
            S("B", false),
            // group 2: three missing answers never win; D's single vote does and is right → 1
            S(null, false),
            S(null, false),
            S(null, false),
            S("D", true),
            // group 3: no answer at all → 0
            S(null, false),
            S(null, false),
            S(null, false),
            S(null, false),
            // a 13th sample makes no 4th group (⌊13/4⌋ = 3) and is ignored
            S("A", true),
        ];
        // (0 + 1 + 0) / 3
        Assert.Equal(1.0 / 3, Metrics.ConsAtK(samples, 4), 12);
        Assert.Null(Metrics.MajorityVote(samples[8..12]));
    }

    [Fact]
    public void Given_k_1_Then_cons_at_1_counts_a_missing_answer_as_wrong_even_if_marked_correct()
    {
        // groups of one: A right → 1; null never wins → 0; B wrong → 0 — mean 1/3
        Assert.Equal(1.0 / 3, Metrics.ConsAtK([S("A", true), S(null, true), S("B", false)], 1), 12);
    }

    [Fact]
    public void Given_tied_top_scores_Then_rerank_picks_the_first()
    {
        // group 1: 0.9 (wrong) and 0.9 (right) tie → the first, wrong → 0
        // group 2: 0.2 (wrong), 0.7 (right), null (ranks lowest) → the right one → 1
        GradedSample[] samples =
        [
            S("1", false, 0.9),
            S("2", true, 0.9),
            S("2", true, 0.5),
            S("1", false, 0.2),
            S("2", true, 0.7),
            S("3", false, null),
        ];
        Assert.False(Metrics.Rerank(samples[..3]).Correct);
        Assert.Equal(0.5, Metrics.RerankAtK(samples, 3), 12);
    }

    [Fact]
    public void Given_scores_Then_weighted_vote_sums_them_per_answer()
    {
        // group 1: A 0.25 + 0.75 = 1.0 beats B 0.875 → A, right → 1
        // group 2: A 0.5 vs B 0.5 — a tie; A first, wrong → 0. Majority: B has 2 votes (0.25 + 0.25 = 0.5) → right.
        GradedSample[] samples =
        [
            S("A", true, 0.25),
            S("B", false, 0.875),
            S("A", true, 0.75),
            S("A", false, 0.5),
            S("B", true, 0.25),
            S("B", true, 0.25),
        ];
        Assert.Equal(0.5, Metrics.WeightedAtK(samples, 3), 12);
        Assert.Equal(1.0, Metrics.ConsAtK(samples, 3), 12); // majority: A (2 of 3) → 1; B (2 of 3) → 1
    }

    [Fact]
    public void Given_null_answers_with_high_scores_Then_weighted_vote_ignores_them()
    {
        Assert.Equal("A", Metrics.WeightedVote([S(null, false, 5.0), S("A", true, 0.1)])?.Canonical);
    }

    [Fact]
    public void Given_largest_n_Then_default_ks_are_1_and_powers_of_2_up_to_it()
    {
        Assert.Equal([1, 2, 4, 8], Metrics.DefaultKs(8));
        Assert.Equal([1, 2, 4], Metrics.DefaultKs(7));
        Assert.Equal([1], Metrics.DefaultKs(1));
    }
}
