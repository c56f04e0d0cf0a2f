using Ponder.LanguageModels;
using Ponder.Reinforcement;
using Ponder.Training;

namespace Ponder.Tests.Reinforcement;

/// <summary>Resuming an RL run from its checkpoint: the same metrics as an uninterrupted run, and the training pool
/// it started with.</summary>
[Trait(Lanes.Category, Lanes.Slow)]
public sealed class RlTrainerResumeTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>Trains a fresh tiny policy for all of <paramref name="options"/>' steps and returns the checkpoint it
    /// saved.</summary>
    string Checkpointed(RlOptions options, string name)
    {
        string checkpoints = dir.File(name);
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(lm, new ParityTask(), options);
        while (!trainer.Finished)
            trainer.Step();
        trainer.SaveCheckpoint(checkpoints);
        return TrainingCheckpoint.Latest(checkpoints)!;
    }

    [Fact]
    public void Given_an_interrupted_run_When_resumed_Then_its_metrics_equal_the_uninterrupted_run()
    {
        var options = RlTrainerTests.Small() with
        {
            UpdatesPerBatch = 2,
            Policy = new Ponder.Algorithms.PolicyOptions { Beta = 0.05 },
        };
        var straight = new List<double>();
        using (var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2))
        using (var trainer = new RlTrainer(lm, new ParityTask(), options))
        {
            while (!trainer.Finished)
            {
                var s = trainer.Step();
                straight.Add(s.Metrics["reward/mean"]);
                straight.Add(s.Metrics["loss/policy"]);
                straight.Add(s.Metrics["loss/kl"]);
            }
        }

        var resumed = new List<double>();
        string checkpoints = dir.File("ck");
        using (var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2))
        using (var trainer = new RlTrainer(lm, new ParityTask(), options))
        {
            for (int i = 0; i < 2; i++)
            {
                var s = trainer.Step();
                resumed.Add(s.Metrics["reward/mean"]);
                resumed.Add(s.Metrics["loss/policy"]);
                resumed.Add(s.Metrics["loss/kl"]);
            }
            trainer.SaveCheckpoint(checkpoints);
            trainer.Step(); // lost in the "crash"
        }
        string latest = TrainingCheckpoint.Latest(checkpoints)!;
        using (var lm = LanguageModel.Load(latest))
        using (var trainer = new RlTrainer(lm, new ParityTask(), options))
        {
            trainer.Resume(latest);
            while (!trainer.Finished)
            {
                var s = trainer.Step();
                resumed.Add(s.Metrics["reward/mean"]);
                resumed.Add(s.Metrics["loss/policy"]);
                resumed.Add(s.Metrics["loss/kl"]);
            }
        }
        Assert.Equal(straight, resumed);
    }

    [Fact]
    public void Given_a_run_resumed_with_more_steps_Then_its_prompts_continue_over_the_pool_it_started_with()
    {
        // The default pool is steps × prompts problems: 2 × 4 = 8 at the start. Extending the run to 4 steps on resume
        // must not change it to 16 (the data order over 16 problems would differ from the one the run began).
        var options = RlTrainerTests.Small() with
        {
            Steps = 2,
            MaxCompletionTokens = 2,
        };
        string latest = Checkpointed(options, "ck-extend");
        string[] resumed;
        using (var lm = LanguageModel.Load(latest))
        using (var trainer = new RlTrainer(lm, new ParityTask(), options with { Steps = 4 }))
        {
            trainer.Resume(latest);
            resumed = [.. Enumerable.Range(0, 2).SelectMany(_ => trainer.Step().Rollouts).Select(r => r.Problem.Id)];
        }
        string[] expected;
        using (var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2))
        using (var trainer = new RlTrainer(lm, new ParityTask(), options with { Steps = 4, TrainProblems = 8 }))
        {
            expected =
            [
                .. Enumerable
                    .Range(0, 4)
                    .SelectMany(_ => trainer.Step().Rollouts)
                    .Skip(2 * 4 * 4)
                    .Select(r => r.Problem.Id),
            ];
        }

        Assert.Equal(expected, resumed);
        Assert.All(
            resumed,
            id =>
                Assert.True(
                    int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) < 8,
                    $"{id} is not among the run's 8 problems"
                )
        );
    }

    [Fact]
    public void Given_a_checkpoint_without_a_recorded_pool_When_resumed_Then_the_pool_it_uses_is_pinned_from_then_on()
    {
        var options = RlTrainerTests.Small() with { Steps = 1, MaxCompletionTokens = 2 };
        string latest = Checkpointed(options, "ck-old"),
            stateFile = Path.Combine(latest, TrainingCheckpoint.StateFile);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(stateFile))!;
        Assert.NotNull(json["extra"]!["train_problems"]);
        json["extra"]!.AsObject().Remove("train_problems"); // as written before the key existed
        File.WriteAllText(stateFile, json.ToJsonString());

        using var resumed = LanguageModel.Load(latest);
        using var trainer2 = new RlTrainer(resumed, new ParityTask(), options with { Steps = 3 });
        trainer2.Resume(latest);

        // The options' pool (3 × 4 = 12) is used and recorded, so the next checkpoint keeps it.
        Assert.Equal("12", trainer2.State.Extra["train_problems"]);
    }

    [Fact]
    public void Given_a_run_resumed_with_another_train_problems_Then_it_is_refused_with_the_number_it_started_with()
    {
        var options = RlTrainerTests.Small() with { Steps = 1, MaxCompletionTokens = 2, TrainProblems = 5 };
        string latest = Checkpointed(options, "ck-pool");
        using var resumed = LanguageModel.Load(latest);
        using var other = new RlTrainer(resumed, new ParityTask(), options with { Steps = 2, TrainProblems = 7 });

        var e = Assert.Throws<PonderException>(() => other.Resume(latest));
        Assert.Contains("a pool of 5 training problems, not 7", e.Message);
        Assert.Contains("--train-problems 5", e.Message);
    }
}
