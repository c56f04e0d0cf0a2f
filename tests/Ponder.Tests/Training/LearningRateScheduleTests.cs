using Ponder.Training;

namespace Ponder.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void Given_a_warm_up_of_4_steps_Then_the_rate_climbs_linearly_to_the_peak_and_stays()
    {
        // peak 1e-3, warm-up 4: steps 0…3 → 1/4, 2/4, 3/4, 4/4 of the peak; then the peak.
        double[] rates = [.. Enumerable.Range(0, 6).Select(s => LearningRateSchedule.WarmupConstant(s, 4, 1e-3))];

        double[] expected = [0.25e-3, 0.5e-3, 0.75e-3, 1e-3, 1e-3, 1e-3];
        Assert.All(expected.Zip(rates), p => Assert.Equal(p.First, p.Second, 15));
    }

    [Fact]
    public void Given_no_warm_up_Then_the_first_step_is_at_the_peak()
    {
        Assert.Equal(3e-4, LearningRateSchedule.WarmupConstant(0, 0, 3e-4));
    }
}
