using Ponder.Generation;

namespace Ponder.Tests.Generation;

public sealed class SampleSeedsTests
{
    [Fact]
    public void Given_one_seed_Then_different_prompts_get_different_streams_and_the_same_prompt_the_same_stream()
    {
        // A stream that depended on (seed, sample index) only would make sample j of EVERY problem in an evaluation
        // draw the same uniforms, correlating the problems' outcomes: pass@1 would swing with the seed.
        int[] a = [10, 11, 12],
            b = [10, 11, 13];
        Assert.NotEqual(SampleSeeds.For(7, a, 0), SampleSeeds.For(7, b, 0));
        Assert.Equal(SampleSeeds.For(7, a, 0), SampleSeeds.For(7, [10, 11, 12], 0));
        Assert.NotEqual(SampleSeeds.For(7, a, 0), SampleSeeds.For(7, a, 1));
        Assert.NotEqual(SampleSeeds.For(7, a, 0), SampleSeeds.For(8, a, 0));
    }

    [Fact]
    public void Given_many_prompts_Then_their_first_uniforms_are_spread_like_independent_draws()
    {
        // 1,000 prompts, sample 0, one seed: the first uniform of each stream. Under the bug all 1,000 were equal.
        var first = Enumerable
            .Range(0, 1000)
            .Select(i => new Random(SampleSeeds.For(3, [i, i + 1], 0)).NextDouble())
            .ToArray();
        Assert.True(first.Distinct().Count() > 990);
        Assert.InRange(first.Average(), 0.45, 0.55); // mean of 1,000 U(0,1): sd 0.009
    }
}
