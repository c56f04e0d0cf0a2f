using Ponder.Algorithms;

namespace Ponder.Tests.Algorithms;

public sealed class AdvantageTests
{
    static readonly double[] Rewards = [1, 0, 0, 1];

    [Fact]
    public void Given_rewards_1_0_0_1_Then_grpo_divides_the_centred_rewards_by_the_sample_std()
    {
        // mean 0.5; sample std = √((4 · 0.25) / 3) = √(1/3) ≈ 0.577350; Â = ±0.5 / (0.577350 + 1e-4) ≈ ±0.865875
        var a = new Grpo().Advantages(Rewards, 4);
        Assert.Equal([0.865875, -0.865875, -0.865875, 0.865875], a.Select(x => Math.Round(x, 6)));
    }

    [Fact]
    public void Given_rewards_1_0_0_1_Then_drgrpo_only_centres_them()
    {
        Assert.Equal([0.5, -0.5, -0.5, 0.5], new DrGrpo().Advantages(Rewards, 4));
    }

    [Fact]
    public void Given_rewards_1_0_0_1_Then_rloo_subtracts_the_mean_of_the_others()
    {
        // r=1: 1 − (0 + 0 + 1)/3 = 2/3;  r=0: 0 − (1 + 0 + 1)/3 = −2/3
        var a = new Rloo().Advantages(Rewards, 4);
        Assert.Equal(
            [2 / 3.0, -2 / 3.0, -2 / 3.0, 2 / 3.0],
            a.Select(x => Math.Round(x, 12)).ToArray(),
            new RoundedComparer()
        );
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("drgrpo")]
    [InlineData("dapo")]
    [InlineData("rloo")]
    [InlineData("gspo")]
    [InlineData("cispo")]
    [InlineData("reinforce++-baseline")]
    public void Given_an_all_equal_group_Then_every_advantage_is_exactly_zero(string algo)
    {
        var a = PolicyAlgorithms.Create(algo).Advantages([1, 1, 1, 0.3, 0.3, 0.3], 3);
        Assert.All(a, x => Assert.Equal(0.0, x));
        // Eight format rewards of 0.1 sum to 0.7999999999999999 in floating point, so r − mean would be ~1e-17:
        // exactly 0 matters, since the update skips exactly-zero advantages.
        var eight = PolicyAlgorithms
            .Create(algo)
            .Advantages(Enumerable.Repeat(0.1, 8).Concat(Enumerable.Repeat(1.1, 8)).ToArray(), 8);
        Assert.All(eight, x => Assert.Equal(0.0, x));
    }

    [Fact]
    public void Given_two_groups_Then_each_is_centred_on_its_own_mean()
    {
        Assert.Equal([0.5, -0.5, 0, 0], new DrGrpo().Advantages([1, 0, 2, 2], 2));
    }

    [Fact]
    public void Given_rewards_that_do_not_fill_the_groups_Then_the_error_says_so()
    {
        var e = Assert.Throws<PonderException>(() => new Grpo().Advantages([1, 0, 1], 2));
        Assert.Contains("groups of 2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    // L_max 100, cache 20: free up to 80 → 0; 90 → (80 − 90)/20 = −0.5; 100 → −1; beyond → −1
    [InlineData(80, 0.0)]
    [InlineData(90, -0.5)]
    [InlineData(100, -1.0)]
    [InlineData(130, -1.0)]
    public void Given_lengths_Then_the_soft_overlong_penalty_ramps_to_minus_one(int length, double expected)
    {
        Assert.Equal(expected, Dapo.SoftOverlongPenalty(length, 100, 20), 12);
    }

    sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;

        public int GetHashCode(double obj) => 0;
    }
}
