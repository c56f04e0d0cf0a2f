using Ponder.Evaluation;

namespace Ponder.Tests.Evaluation;

public sealed class ConfidenceIntervalTests
{
    [Fact]
    public void Given_four_problem_means_When_the_interval_is_computed_Then_it_is_the_normal_one_on_their_mean()
    {
        // mean 0.5; squared deviations 0.25 + 0 + 0 + 0.25 = 0.5, / (4 − 1) = 0.16667 (sample variance);
        // standard error √(0.16667 / 4) = 0.204124; half-width 1.959964 · 0.204124 = 0.400076.
        var (low, high) = ConfidenceInterval.OfMean([1.0, 0.5, 0.5, 0.0]);

        Assert.Equal(0.09992, low, 5);
        Assert.Equal(0.90008, high, 5);
    }

    [Fact]
    public void Given_problems_each_all_right_or_all_wrong_Then_the_interval_counts_problems_not_samples()
    {
        // 10 problems × 4 samples: 5 problems right in every sample, 5 wrong in every one. Per-problem means: five 1s,
        // five 0s; sample variance 10 · 0.25 / 9 = 0.27778; standard error √(0.27778 / 10) = 0.16667; half-width
        // 1.959964 · 0.16667 = 0.32666. Treating the 40 samples as independent would give 0.15495.
        var samples = Enumerable.Range(0, 10).SelectMany(p => Enumerable.Repeat(($"p{p}", p < 5), 4)).ToList();

        var (low, high) = ConfidenceInterval.OfPassAt1(samples);

        Assert.Equal(0.17334, low, 5);
        Assert.Equal(0.82666, high, 5);
    }

    [Fact]
    public void Given_an_interval_past_0_or_1_Then_it_is_clipped_to_the_range_of_an_accuracy()
    {
        // mean 1/3; sample variance ((2/3)² + 2 · (1/3)²) / 2 = 1/3; standard error √(1/9) = 1/3; half-width 0.65332.
        var (low, high) = ConfidenceInterval.OfMean([1.0, 0.0, 0.0]);

        Assert.Equal(0.0, low);
        Assert.Equal(0.98665, high, 5);
    }

    [Fact]
    public void Given_one_problem_Then_nothing_is_known_of_the_spread_and_the_interval_is_0_to_1()
    {
        Assert.Equal((0.0, 1.0), ConfidenceInterval.OfMean([0.75]));
    }
}
