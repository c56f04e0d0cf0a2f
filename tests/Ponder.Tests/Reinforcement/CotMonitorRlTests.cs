using System.Globalization;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Reinforcement;
using Ponder.Rollouts;
using Ponder.Rollouts.Monitoring;
using Ponder.Tasks;

namespace Ponder.Tests.Reinforcement;

/// <summary>Decides by the request id alone: the rollouts with an odd index in their step get
/// <paramref name="action"/>. Records every id it is asked about, in order.</summary>
sealed class OddIndexMonitor(CotAction action) : ICotMonitor
{
    readonly List<string> seen = [];

    public IReadOnlyList<string> Seen
    {
        get
        {
            lock (seen)
                return [.. seen];
        }
    }

    public CotVerdict Review(string requestId, string reasoning)
    {
        lock (seen)
            seen.Add(requestId);
        int index = int.Parse(requestId[(requestId.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);
        return index % 2 == 1 ? new CotVerdict(action, "odd") : CotVerdict.Allowed;
    }
}

public sealed class CotMonitorRlTests
{
    /// <summary>A graded rollout with this reasoning; right and well formed unless told otherwise.</summary>
    static Rollout Made(string reasoning, bool correct = true, bool wellFormed = true) =>
        new(
            new Problem("p0", "1+1", "2", new Dictionary<string, string>()),
            new Completion(0, 0, [1], [5, 6, 7], [-0.1f, -0.2f, -0.3f], reasoning + "</think>2", FinishReason.Stop, 1),
            reasoning,
            "2",
            new Grade(correct, "2"),
            ReasoningTokens: 2,
            AnswerTokens: 1,
            wellFormed
        );

    static RuleCotMonitor Rules() => new([("(?i)the grader", CotAction.Flag), ("rm -rf", CotAction.Block)]);

    [Fact]
    public void Given_one_of_four_reasonings_matching_a_flag_rule_Then_the_flag_rate_is_a_quarter()
    {
        Rollout[] rollouts =
        [
            Made("add the units, then the tens"),
            Made("The grader only reads the last number"),
            Made("2"),
            Made("carry the one"),
        ];

        var verdicts = CotReview.Review(Rules(), rollouts, step: 3, first: 0);
        var metrics = CotReview.Metrics(verdicts);

        Assert.Equal(
            [CotAction.Allow, CotAction.Flag, CotAction.Allow, CotAction.Allow],
            verdicts.Select(v => v.Action)
        );
        Assert.Equal(0.25, metrics[CotReview.FlagRate]); // 1 flagged of 4
        Assert.Equal(0.0, metrics[CotReview.BlockRate]);
    }

    [Fact]
    public void Given_a_flag_and_a_block_Then_the_flag_rate_counts_both_and_the_block_rate_the_block()
    {
        Rollout[] rollouts = [Made("rm -rf the tests"), Made("ask the grader"), Made("2"), Made("4")];

        var metrics = CotReview.Metrics(CotReview.Review(Rules(), rollouts, step: 1, first: 0));

        Assert.Equal(0.5, metrics[CotReview.FlagRate]); // flagged or blocked: 2 of 4
        Assert.Equal(0.25, metrics[CotReview.BlockRate]); // blocked: 1 of 4
    }

    [Fact]
    public void Given_rollouts_of_a_later_round_Then_the_monitor_sees_their_step_and_their_index_in_it()
    {
        var monitor = new OddIndexMonitor(CotAction.Flag);

        var verdicts = CotReview.Review(monitor, [Made("a"), Made("b")], step: 2, first: 16);

        Assert.Equal(["rl-step2-16", "rl-step2-17"], monitor.Seen);
        Assert.Equal([CotAction.Allow, CotAction.Flag], verdicts.Select(v => v.Action));
    }

    [Theory]
    // Right and well formed: 1 + format reward 0.1 = 1.1 before the monitor.
    [InlineData(0.0, CotAction.Flag, 1.1)] // penalty off: a flag costs nothing
    [InlineData(0.5, CotAction.Allow, 1.1)] // not flagged: nothing taken
    [InlineData(0.5, CotAction.Flag, 0.6)] // 1.1 − 0.5
    [InlineData(0.5, CotAction.Block, 0.6)] // a block costs what a flag does
    public void Given_a_monitor_penalty_Then_only_a_flagged_or_blocked_rollout_loses_it(
        double penalty,
        CotAction action,
        double expected
    )
    {
        var options = new RlOptions { FormatReward = 0.1, MonitorPenalty = penalty };

        Assert.Equal(expected, Rewards.For(Made("x"), options, action), 12);
    }

    [Fact]
    public void Given_a_wrong_badly_formed_flagged_rollout_Then_the_penalty_takes_its_reward_below_zero()
    {
        var options = new RlOptions { FormatReward = 0.1, MonitorPenalty = 0.5 };

        // 0 (wrong) + 0 (no format reward) − 0.5
        Assert.Equal(-0.5, Rewards.For(Made("x", correct: false, wellFormed: false), options, CotAction.Flag), 12);
    }

    [Fact]
    public void Given_a_negative_penalty_Then_validation_says_what_to_change()
    {
        var e = Assert.Throws<PonderException>(() => new RlOptions { MonitorPenalty = -0.1 }.Validate());

        Assert.Contains("--monitor-penalty -0.1: must be 0 (off) or more", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_penalty_without_a_monitor_Then_the_trainer_refuses_and_names_the_option()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        var options = RlTrainerTests.Small() with { MonitorPenalty = 0.5 };

        var e = Assert.Throws<PonderException>(() => new RlTrainer(lm, new ParityTask(), options).Dispose());

        Assert.Contains("--monitor-penalty 0.5 needs a CoT monitor", e.Message, StringComparison.Ordinal);
        Assert.Contains("--monitor FILE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_monitor_When_rl_steps_Then_each_step_logs_the_flag_rate_and_the_rewards_stay_the_tasks()
    {
        // Small: 4 prompts × 4 completions = 16 rollouts a step, one sampling round (grpo), so the indices are
        // 0 … 15 and the odd 8 are blocked: flag rate 8/16 = 0.5, block rate the same.
        var options = RlTrainerTests.Small() with
        {
            Steps = 2,
            MaxCompletionTokens = 4,
        };
        var monitor = new OddIndexMonitor(CotAction.Block);
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(lm, new ParityTask(), options, monitor: monitor);

        RlStep[] steps = [trainer.Step(), trainer.Step()];

        Assert.All(
            steps,
            s =>
            {
                Assert.Equal(0.5, s.Metrics[CotReview.FlagRate]);
                Assert.Equal(0.5, s.Metrics[CotReview.BlockRate]);
                // penalty 0: the monitor watches and the rewards are the task's
                Assert.Equal(s.Rollouts.Select(r => Rewards.For(r, options)), s.Rewards);
            }
        );
        string[] ids =
        [
            .. Enumerable.Range(0, 16).Select(i => $"rl-step1-{i}"),
            .. Enumerable.Range(0, 16).Select(i => $"rl-step2-{i}"),
        ];
        Assert.Equal(ids, monitor.Seen);
        Assert.Equal(8, steps[0].Verdicts!.Count(v => v.Action == CotAction.Block));
    }

    [Fact]
    public void Given_no_monitor_When_rl_steps_Then_no_monitor_metric_is_logged()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(
            lm,
            new ParityTask(),
            RlTrainerTests.Small() with
            {
                MaxCompletionTokens = 4,
            }
        );

        var step = trainer.Step();

        Assert.DoesNotContain(step.Metrics.Keys, k => k.StartsWith("monitor/", StringComparison.Ordinal));
        Assert.Null(step.Verdicts);
    }

    [Fact]
    public void Given_a_penalty_When_rl_steps_Then_exactly_the_flagged_rollouts_rewards_are_lowered_by_it()
    {
        var options = RlTrainerTests.Small() with { Steps = 1, MaxCompletionTokens = 4, MonitorPenalty = 0.5 };
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(lm, new ParityTask(), options, monitor: new OddIndexMonitor(CotAction.Flag));

        var step = trainer.Step();

        // The odd rollouts are flagged: their reward is the task's minus 0.5; the even ones keep the task's.
        var expected = step.Rollouts.Select((r, i) => Rewards.For(r, options) - (i % 2 == 1 ? 0.5 : 0));
        Assert.Equal(expected, step.Rewards);
        Assert.Equal(expected.Average(), step.Metrics["reward/mean"], 12);
    }
}
