using Ponder.Generation;
using Ponder.Reinforcement;
using Ponder.Rollouts;
using Ponder.Tasks;

namespace Ponder.Tests.Reinforcement;

public sealed class PartialRewardTests
{
    static Rollout With(Grade grade) =>
        new(
            new Problem("p", "q", "r", new Dictionary<string, string>()),
            new Completion(0, 0, [], [], [], "x", FinishReason.Stop, null),
            "",
            "x",
            grade,
            0,
            1,
            WellFormed: true
        );

    [Fact]
    public void Given_a_program_passing_3_of_4_tests_When_rewarded_Then_partial_reward_gives_the_share()
    {
        var rollout = With(new Grade(false, "outputs:1") { Score = 0.75 });
        var binary = new RlOptions();
        var partial = binary with { PartialReward = true };

        // all-or-nothing: 0 (not accepted) + 0.1 format; partial: 0.75 + 0.1.
        Assert.Equal(0.1, Rewards.For(rollout, binary), 12);
        Assert.Equal(0.85, Rewards.For(rollout, partial), 12);
    }

    [Fact]
    public void Given_a_task_without_partial_credit_When_partial_reward_is_on_Then_the_reward_is_still_1_or_0()
    {
        var partial = new RlOptions { PartialReward = true, FormatReward = 0 };

        Assert.Equal(1.0, Rewards.For(With(new Grade(true, "4")), partial));
        Assert.Equal(0.0, Rewards.For(With(new Grade(false, "5")), partial));
    }
}
