using Ponder.LanguageModels;
using Ponder.Reinforcement;
using Ponder.Tasks;
using Ponder.Training;
using TorchSharp;

namespace Ponder.Tests.Reinforcement;

/// <summary>A task whose grader is a rule on the answer text, so a tiny random model gets mixed rewards.</summary>
sealed class ParityTask : IReasoningTask
{
    public string Name => "parity";

    public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) =>
        Enumerable
            .Range(split == TaskSplit.Train ? 0 : 10_000, count ?? 100)
            .Select(i => new Problem(
                $"p{i}",
                $"{i % 97}",
                (i % 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
                new Dictionary<string, string>()
            ))
            .ToArray();

    public string Prompt(Problem problem) => problem.Question;

    /// <summary>Problems with an even question are always right (a zero-signal group); odd ones are right when the
    /// answer's first character has an odd code.</summary>
    public Grade Grade(Problem problem, string answerText)
    {
        if (int.Parse(problem.Question, System.Globalization.CultureInfo.InvariantCulture) % 2 == 0)
            return new Grade(true, "even");
        string a = answerText.Trim();
        return a.Length == 0 ? Ponder.Tasks.Grade.NoAnswer : new Grade(a[0] % 2 == 1, a[..1]);
    }
}

/// <summary>Every answer is wrong: with no format reward every group has all-equal rewards (0).</summary>
sealed class AlwaysWrongTask : IReasoningTask
{
    public string Name => "always-wrong";

    public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) => new ParityTask().Problems(split, count);

    public string Prompt(Problem problem) => problem.Question;

    public Grade Grade(Problem problem, string answerText) => new(false, "no");
}

public sealed class RlTrainerTests
{
    /// <summary>4 steps of 4 prompts × 4 completions of up to 12 tokens, format reward 0.5, seed 3.</summary>
    internal static RlOptions Small(string algo = "grpo") =>
        RlOptions.For(algo) with
        {
            Steps = 4,
            PromptsPerStep = 4,
            GroupSize = 4,
            MaxCompletionTokens = 12,
            MicroBatchSize = 8,
            LearningRate = 1e-2,
            WarmupSteps = 1,
            FormatReward = 0.5,
            OverlongWindow = 0,
            Seed = 3,
        };

    [Fact]
    public void Given_train_problems_Then_prompts_come_only_from_that_many_problems()
    {
        var options = Small() with { Steps = 3, MaxCompletionTokens = 2 };
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var narrow = new RlTrainer(lm, new ParityTask(), options with { TrainProblems = 2 });
        using var wide = new RlTrainer(lm, new ParityTask(), options);

        var narrowIds = Enumerable
            .Range(0, 3)
            .SelectMany(_ => narrow.Step().Rollouts)
            .Select(r => r.Problem.Id)
            .ToHashSet();
        var wideIds = Enumerable
            .Range(0, 3)
            .SelectMany(_ => wide.Step().Rollouts)
            .Select(r => r.Problem.Id)
            .ToHashSet();

        // 3 steps × 4 prompts: 12 prompts; by default the pool is those 12 problems, with 2 they cycle over p0 and p1.
        Assert.Equal(["p0", "p1"], narrowIds.Order());
        Assert.Equal(12, wideIds.Count);
    }

    [Fact]
    public void Given_dynamic_sampling_Then_groups_without_signal_are_dropped_and_the_batch_refilled()
    {
        var options = Small("dapo") with { Steps = 1, MaxSamplingRounds = 6 };
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(lm, new ParityTask(), options);

        var step = trainer.Step();

        // Half the problems (even questions) always give all-equal rewards; they must not reach the update.
        Assert.True(step.Metrics["rollout/zero_signal_fraction"] >= 0.3);
        Assert.True(step.Metrics["rollout/sampling_rounds"] >= 2);
        var groups = step.Rewards.Chunk(options.GroupSize).ToList();
        Assert.All(
            groups,
            g => Assert.True(Ponder.Algorithms.Dapo.HasSignal(g), "a trained group has all-equal rewards")
        );
        Assert.True(trainer.State.DataPosition > options.PromptsPerStep, "more problems than one batch were drawn");
    }

    /// <summary>Trains a float64 tiny policy for all of <paramref name="options"/>' steps, with or without skipping
    /// zero-advantage completions, and returns its weights, the mean trained fraction and the summed policy
    /// loss.</summary>
    static (double[] Weights, double TrainedFraction, double Loss) TrainInFloat64(
        RlOptions options,
        bool alwaysWrong,
        bool skip
    )
    {
        var float64 = new Ponder.Runtime.DeviceOptions("cpu", "float64");
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2, float64);
        using var trainer = new RlTrainer(
            lm,
            alwaysWrong ? new AlwaysWrongTask() : new ParityTask(),
            options with
            {
                SkipZeroAdvantage = skip,
            }
        );
        double fraction = 0,
            loss = 0;
        while (!trainer.Finished)
        {
            var s = trainer.Step();
            fraction += s.Metrics["rollout/trained_fraction"];
            loss += s.Metrics["loss/policy"];
        }
        var weights = lm.Network.parameters().SelectMany(p => p.data<double>().ToArray()).ToArray();
        return (weights, fraction / options.Steps, loss);
    }

    [Theory]
    [InlineData("drgrpo", 1, false)]
    [InlineData("grpo", 2, false)]
    [InlineData("dapo", 1, false)]
    [InlineData("rloo", 2, false)]
    [InlineData("drgrpo", 1, true)]
    public void Given_zero_advantage_completions_When_skipped_Then_the_weights_after_the_update_are_the_same(
        string algo,
        int updates,
        bool alwaysWrong
    )
    {
        // ParityTask: even questions are right whenever the reasoning is closed, so many groups are all-equal;
        // AlwaysWrongTask: every group, so nothing carries a gradient and only the optimizer's decay moves the weights.
        // Format reward 0.1 (ParityTask): all-equal groups at 0.1 or 1.1 must still count as advantage 0. Micro-batches
        // of 3 rows make the trained rows cross micro-batch boundaries.
        var options = Small(algo) with
        {
            Steps = 2,
            DynamicSampling = false,
            MicroBatchSize = 3,
            UpdatesPerBatch = updates,
            WeightDecay = 0.1,
            FormatReward = alwaysWrong ? 0 : 0.1, // a well-formed sample would make an always-wrong group mixed
        };
        var skipped = TrainInFloat64(options, alwaysWrong, skip: true);
        var full = TrainInFloat64(options, alwaysWrong, skip: false);

        Assert.Equal(1.0, full.TrainedFraction);
        if (alwaysWrong)
            Assert.Equal(0.0, skipped.TrainedFraction);
        else
            Assert.InRange(skipped.TrainedFraction, 0.01, 0.75); // the even groups were left out
        Assert.Equal(full.Loss, skipped.Loss, 1e-10);
        Assert.Equal(full.Weights.Length, skipped.Weights.Length);
        double maxDiff = full.Weights.Zip(skipped.Weights, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff < 1e-9, $"weights differ by {maxDiff}");
    }

    [Fact]
    public void Given_the_kl_in_the_reward_When_a_step_is_logged_Then_its_rewards_are_the_tasks_own()
    {
        // After the first update the policy has left the reference, so β·KL ≠ 0: the advantages see r − β·KL, while
        // the logged rewards (and reward/mean) stay the task's, as Rewards.For gives them.
        var options = Small() with
        {
            Steps = 3,
            Policy = new Ponder.Algorithms.PolicyOptions
            {
                Beta = 0.5,
                Placement = Ponder.Algorithms.KlPlacement.Reward,
            },
        };
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(lm, new ParityTask(), options);
        RlStep step = trainer.Step();
        while (!trainer.Finished)
            step = trainer.Step();

        var expected = step.Rollouts.Select(r => Rewards.For(r, trainer.Options)).ToArray();
        Assert.Equal(expected, step.Rewards);
        Assert.Equal(expected.Average(), step.Metrics["reward/mean"], 12);
        // …and the KL did reach the advantages: without it the same run ends with other weights.
        using var without = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using (var plain = new RlTrainer(without, new ParityTask(), options with { Policy = new() }))
        {
            while (!plain.Finished)
                plain.Step();
        }
        double difference = lm
            .Network.parameters()
            .Zip(without.Network.parameters(), (a, b) => (a - b).abs().max().item<float>())
            .Max();
        Assert.True(difference > 0, "the KL penalty in the reward changed nothing");
    }

    [Fact]
    public void Given_rl_steps_Then_no_tensor_outlives_a_step()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(
            lm,
            new ParityTask(),
            Small() with
            {
                Policy = new Ponder.Algorithms.PolicyOptions { Beta = 0.05 },
                UpdatesPerBatch = 2,
            }
        );
        trainer.Step();
        DisposeScopeManager.Statistics.Reset();
        trainer.Step();
        trainer.Step();
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Given_group_size_one_for_a_group_relative_algorithm_Then_the_error_says_why()
    {
        var e = Assert.Throws<PonderException>(() => (Small() with { GroupSize = 1 }).Validate());
        Assert.Contains("--group-size 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("at least 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_impossible_micro_batch_Then_the_error_says_how_much_memory_it_needs()
    {
        var config = Ponder.Model.Presets.Get("small", "qwen2", 151_936);
        var e = Assert.Throws<PonderException>(() =>
        {
            MemoryCheck.EnsureFits(config, Small() with { MicroBatchSize = 4096, MaxCompletionTokens = 4096 });
        });
        Assert.Contains("GiB", e.Message, StringComparison.Ordinal);
        Assert.Contains("--micro-batch", e.Message, StringComparison.Ordinal);
    }

    [Trait(Lanes.Category, Lanes.Slow)]
    [Theory]
    [InlineData("grpo")]
    [InlineData("drgrpo")]
    [InlineData("dapo")]
    [InlineData("rloo")]
    public void Given_a_reward_for_closing_the_reasoning_When_trained_Then_the_reward_rises(string algo)
    {
        // A random tiny model seldom emits </think>; the format reward (0.5) pays for doing so and ending the turn.
        var options = Small(algo) with
        {
            Steps = 30,
            PromptsPerStep = 8,
            GroupSize = 8,
            MaxCompletionTokens = 8,
            LearningRate = 1e-2,
            MaxSamplingRounds = 2,
        };
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(lm, new ParityTask(), options);
        var rewards = new List<double>();
        while (!trainer.Finished)
            rewards.Add(trainer.Step().Metrics["reward/mean"]);
        double before = rewards.Take(5).Average(),
            after = rewards.TakeLast(5).Average();
        Assert.True(
            after > before + 0.2,
            $"{algo}: reward {before:F3} → {after:F3}: {string.Join(" ", rewards.Select(r => r.ToString("F2")))}"
        );
    }
}
