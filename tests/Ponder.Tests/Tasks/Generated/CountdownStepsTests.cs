using Ponder.Rollouts;
using Ponder.Tasks;
using Ponder.Tasks.Generated;

namespace Ponder.Tests.Tasks.Generated;

public sealed class CountdownStepsTests
{
    static readonly CountdownTask Task = new(new CountdownOptions { Numbers = 3, MaxNumber = 10 });

    [Fact]
    public void Given_a_search_with_right_and_wrong_lines_Then_each_step_line_is_checked_and_the_rest_ignored()
    {
        // Samples a demo model wrote (3 6 10 → 28): "10*3=20" and "20*6=28" are wrong, "10*3=30" and "30-6=24" right;
        // the state in brackets, " x" and a line without a step ("ok") do not count.
        string reasoning = "10*3=20 [6 20]\n 20*6=28\n10*3=30 [6 30]\n 30-6=24 x\nok\n";

        Assert.Equal(new StepCheck(4, 2), Task.CheckSteps(CountdownTask.Create([3, 6, 10], 28), reasoning));
    }

    [Theory]
    [InlineData("12+5=17", 1)]
    [InlineData("  17*7=119 [9 119]", 1)]
    [InlineData("9-7=2", 1)]
    [InlineData("3-7=4", 0)] // no negative results: a - b written as |a - b| is wrong
    [InlineData("3-7=-4", 0)] // ... nor as a negative number (countdown keeps them positive)
    [InlineData("56/8=7", 1)]
    [InlineData("9/2=4", 0)] // inexact division never holds
    [InlineData("9/0=0", 0)]
    [InlineData("99999999999999999999*2=1", 0)] // operands too long for a countdown step: wrong, no overflow
    [InlineData("4294967296*4294967296=0", 0)] // 2^64 does not wrap to 0
    public void Given_one_step_Then_it_holds_only_when_its_arithmetic_does(string line, int correct) =>
        Assert.Equal(new StepCheck(1, correct), CountdownSteps.Check(line));

    [Fact]
    public void Given_an_answer_without_steps_Then_accuracy_is_undefined_rather_than_zero()
    {
        var problem = CountdownTask.Create([3, 6, 10], 28);
        Rollout Sample(string reasoning) =>
            new(
                problem,
                new Ponder.Generation.Completion(
                    0,
                    0,
                    [],
                    [],
                    [],
                    reasoning + "\n</think>\n",
                    Ponder.Generation.FinishReason.Stop,
                    null
                ),
                reasoning,
                "",
                Grade.NoAnswer,
                0,
                0,
                true
            );

        Assert.Null(StepAccuracy.Of(Task, [Sample(""), Sample("guess")]));
        // Pooled over samples: (1 + 0 + 2) right of (1 + 1 + 3) steps = 3 / 5.
        Assert.Equal(
            0.6,
            StepAccuracy.Of(Task, [Sample("3+6=9"), Sample("3*6=16"), Sample("10+6=16\n16+3=19\n16*3=47")])
        );
        Assert.Null(StepAccuracy.Of(new Ponder.Tests.Reinforcement.ParityTask(), [Sample("3+6=9")]));
    }

    [Fact]
    public void Given_a_reasoning_cut_off_mid_line_Then_its_last_line_is_not_counted_as_a_wrong_step()
    {
        var problem = CountdownTask.Create([7, 9, 17], 110);
        // Text is the completion as sampled: closed reasoning contains </think>; a cut one (token limit) does not.
        Rollout Sample(string text, string reasoning, bool budgetCut = false) =>
            new(
                problem,
                new Ponder.Generation.Completion(
                    0,
                    0,
                    [],
                    [],
                    [],
                    text,
                    Ponder.Generation.FinishReason.Length,
                    null,
                    budgetCut
                ),
                reasoning,
                "",
                Grade.NoAnswer,
                0,
                0,
                false
            );

        // "17*7=11" is "17*7=119" cut by the limit: 1 step (right), not 2 with 1 wrong.
        Assert.Equal(1.0, StepAccuracy.Of(Task, [Sample("9+8=17 [7 17]\n 17*7=11", "9+8=17 [7 17]\n 17*7=11")]));
        Assert.Equal(
            1.0,
            StepAccuracy.Of(
                Task,
                [Sample("9+8=17 [7 17]\n 17*7=11\n</think>\n", "9+8=17 [7 17]\n 17*7=11", budgetCut: true)]
            )
        );
        // Closed by the model itself: every line counts.
        Assert.Equal(
            0.5,
            StepAccuracy.Of(Task, [Sample("9+8=17 [7 17]\n 17*7=11\n</think>\n", "9+8=17 [7 17]\n 17*7=11")])
        );
    }
}
