using Ponder.Reinforcement;

namespace Ponder.Tests.Reinforcement;

public sealed class EvalScheduleTests
{
    [Fact]
    public void Given_150_steps_and_6_points_When_log_spaced_Then_step_0_and_150_to_the_powers_0_to_1_in_quarters()
    {
        // 150^0 = 1, 150^0.25 = 3.50 → 3, 150^0.5 = 12.25 → 12, 150^0.75 = 42.86 → 43, 150^1 = 150; and step 0.
        Assert.Equal([0, 1, 3, 12, 43, 150], EvalSchedule.LogSpaced(150, 6));
    }

    [Fact]
    public void Given_150_steps_and_7_points_When_log_spaced_Then_the_exponents_step_by_a_fifth()
    {
        // 150^0.2 = 2.72 → 3, 150^0.4 = 7.42 → 7, 150^0.6 = 20.21 → 20, 150^0.8 = 55.07 → 55.
        Assert.Equal([0, 1, 3, 7, 20, 55, 150], EvalSchedule.LogSpaced(150, 7));
    }

    [Fact]
    public void Given_a_run_shorter_than_its_points_When_log_spaced_Then_steps_that_round_alike_appear_once()
    {
        // 3^0 = 1, 3^0.25 = 1.32 → 1, 3^0.5 = 1.73 → 2, 3^0.75 = 2.28 → 2, 3^1 = 3.
        Assert.Equal([0, 1, 2, 3], EvalSchedule.LogSpaced(3, 6));
    }

    [Fact]
    public void Given_every_10_steps_of_25_Then_step_0_the_multiples_and_the_last_step()
    {
        Assert.Equal([0, 10, 20, 25], EvalSchedule.Every(25, 10));
        Assert.Equal([0, 25], EvalSchedule.Every(25, 0));
    }

    [Fact]
    public void Given_neither_option_When_the_steps_are_listed_Then_every_10_steps_as_before()
    {
        var options = new RlOptions { Steps = 30 }.Validate();

        Assert.Equal([0, 10, 20, 30], options.EvalSteps);
    }

    [Fact]
    public void Given_eval_points_When_the_steps_are_listed_Then_they_are_log_spaced()
    {
        var options = new RlOptions { Steps = 150, EvalPoints = 6 }.Validate();

        Assert.Equal([0, 1, 3, 12, 43, 150], options.EvalSteps);
    }

    [Fact]
    public void Given_both_eval_every_and_eval_points_When_validated_Then_the_message_says_to_remove_one()
    {
        var e = Assert.Throws<PonderException>(() => new RlOptions { EvalEvery = 10, EvalPoints = 6 }.Validate());

        Assert.Contains(
            "--eval-every 10 and --eval-points 6 are both set; remove one",
            e.Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Given_one_eval_point_When_validated_Then_it_asks_for_at_least_2()
    {
        var e = Assert.Throws<PonderException>(() => new RlOptions { EvalPoints = 1 }.Validate());

        Assert.Contains("--eval-points 1: use at least 2", e.Message, StringComparison.Ordinal);
    }
}
