using System.Text.Json;
using Ponder.Runs;

namespace Ponder.Tests.Runs;

/// <summary>Run folders: naming, config, SQLite tables, TensorBoard events, resume without duplicates.</summary>
public sealed class RunStoreTests : IDisposable
{
    readonly TempDir dir = new();
    readonly FixedTime time = new(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

    public void Dispose() => dir.Dispose();

    sealed record TrainOptions(string Model, int Steps, double LearningRate);

    static SampleRecord Sample(string problem, int index, bool correct) =>
        new(
            problem,
            index,
            "What is 2+2?",
            "<think>2+2=4</think>4",
            correct ? "4" : null,
            correct,
            correct ? 1.0 : 0.0,
            5,
            1,
            null
        );

    [Fact]
    public void Given_no_name_Then_the_folder_is_named_by_time_and_kind_and_holds_the_config()
    {
        using var run = RunStore.Create(dir.Path, "sft", null, new TrainOptions("tiny", 100, 3e-4), time);

        Assert.Equal("20250102-030405-sft", run.Name);
        Assert.Equal(Path.Combine(dir.Path, "20250102-030405-sft"), run.Dir);
        Assert.True(Directory.Exists(run.CheckpointsDir));
        Assert.Equal(Path.Combine(run.Dir, "checkpoints", "step-000050"), run.CheckpointPath(50));
        Assert.True(File.Exists(Path.Combine(run.Dir, "metrics.db")));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Dir, "config.json")));
        Assert.Equal(100, config.RootElement.GetProperty("Steps").GetInt32());
        Assert.Equal("tiny", config.RootElement.GetProperty("Model").GetString());
        var headlines = run.ReadHeadlines();
        Assert.Equal("sft", headlines["kind"]);
        Assert.Equal("2025-01-02T03:04:05Z", headlines["created"]);
    }

    [Fact]
    public void Given_an_existing_name_Then_create_refuses()
    {
        using (RunStore.Create(dir.Path, "sft", "a", new { }, time)) { }
        var e = Assert.Throws<PonderException>(() => RunStore.Create(dir.Path, "sft", "a", new { }, time));
        Assert.Contains("exists already", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_logged_metrics_Then_they_read_back_by_name_and_step_and_reach_tensorboard()
    {
        using var run = RunStore.Create(dir.Path, "grpo", "r", new { }, time);
        run.LogMetrics(1, new Dictionary<string, double> { ["train/loss"] = 2.5, ["train/reward"] = 0.1 });
        time.Now = time.Now.AddSeconds(10);
        run.LogMetrics(2, new Dictionary<string, double> { ["train/loss"] = 2.0 });

        Assert.Equal([(1, 2.5), (2, 2.0)], run.ReadMetrics("train/loss"));
        Assert.Equal([(1, 0.1)], run.ReadMetrics("train/reward"));
        Assert.Empty(run.ReadMetrics("eval/pass@1"));
        Assert.Equal(2, run.LastStep());
        var events = Directory.GetFiles(run.TensorBoardDir, "events.out.tfevents.*", SearchOption.AllDirectories);
        Assert.NotEmpty(events);
        // Event records are length-prefixed protobufs; the tag is stored as plain UTF-8.
        string raw = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(Assert.Single(events)));
        Assert.Contains("train/loss", raw, StringComparison.Ordinal);
        Assert.Contains("train/reward", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_nan_loss_Then_it_reads_back_as_nan()
    {
        using var run = RunStore.Create(dir.Path, "sft", "nan", new { }, time);
        run.LogMetrics(1, new Dictionary<string, double> { ["train/loss"] = double.NaN });
        Assert.True(double.IsNaN(Assert.Single(run.ReadMetrics("train/loss")).Value));
    }

    [Fact]
    public void Given_samples_Then_every_column_round_trips()
    {
        using var run = RunStore.Create(dir.Path, "eval", "e", new { }, time);
        run.LogSamples(3, [Sample("p1", 0, true), Sample("p1", 1, false) with { Score = 0.25 }]);

        var samples = run.ReadSamples(3);
        Assert.Equal(2, samples.Count);
        Assert.Equal(Sample("p1", 0, true), samples[0]);
        Assert.Equal(Sample("p1", 1, false) with { Score = 0.25 }, samples[1]);
        Assert.Empty(run.ReadSamples(4));
    }

    [Fact]
    public void Given_a_run_resumed_from_step_2_Then_rows_after_it_are_replaced_not_duplicated()
    {
        string path;
        using (var run = RunStore.Create(dir.Path, "sft", "resume", new { }, time))
        {
            path = run.Dir;
            for (int step = 1; step <= 4; step++)
            {
                run.LogMetrics(step, new Dictionary<string, double> { ["train/loss"] = 10 - step });
                run.LogSamples(step, [Sample("p", 0, true)]);
            }
        }
        // The process died after step 4; the last checkpoint was step 2.
        using (var resumed = RunStore.Open(path, time))
        {
            resumed.TruncateAfter(2);
            Assert.Equal(2, resumed.LastStep());
            Assert.Empty(resumed.ReadSamples(3));
            resumed.LogMetrics(3, new Dictionary<string, double> { ["train/loss"] = 6.5 });
            resumed.SetHeadline("pass@1", "0.42");
        }
        using var reopened = RunStore.Open(path, time);
        Assert.Equal([(1, 9.0), (2, 8.0), (3, 6.5)], reopened.ReadMetrics("train/loss"));
        // TensorBoard too: every step once, step 3 the new value (event files are rewritten, not appended to).
        Assert.Equal(
            [("train/loss", 1L, 9f), ("train/loss", 2L, 8f), ("train/loss", 3L, 6.5f)],
            TensorBoardEvents.Read(reopened.TensorBoardDir).Where(e => e.Tag == "train/loss").ToArray()
        );
        var summary = reopened.Summary();
        Assert.Equal(new RunSummary("resume", "sft", "2025-01-02T03:04:05Z", summary.Headlines, 3), summary);
        Assert.Equal("0.42", summary.Headlines["pass@1"]);
        Assert.Single(summary.Headlines);
    }

    [Fact]
    public void Given_a_run_that_died_before_its_first_checkpoint_When_restarted_Then_nothing_of_it_is_left()
    {
        using var run = RunStore.Create(dir.Path, "rl", "dead", new { lr = 1 }, time);
        run.LogMetrics(0, new Dictionary<string, double> { ["eval/pass@1"] = 0.1 });
        run.LogMetrics(1, new Dictionary<string, double> { ["train/loss"] = 3 });
        run.LogSamples(1, [Sample("p", 0, true)]);
        run.SetHeadline("eval/pass@1", "0.1");

        run.Restart(new { lr = 2 });

        Assert.Null(run.LastStep());
        Assert.Empty(run.ReadSamples(1));
        Assert.Empty(TensorBoardEvents.Read(run.TensorBoardDir));
        Assert.Equal(["created", "kind"], run.ReadHeadlines().Keys.Order(StringComparer.Ordinal));
        Assert.Contains(
            "\"lr\": 2",
            File.ReadAllText(Path.Combine(run.Dir, RunStore.ConfigFile)),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Given_a_folder_without_a_database_Then_open_names_it()
    {
        var e = Assert.Throws<PonderException>(() => RunStore.Open(dir.Path));
        Assert.Contains("not a run folder", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_several_runs_Then_list_returns_them_by_name_and_skips_other_folders()
    {
        using (RunStore.Create(dir.Path, "sft", null, new { }, time)) { }
        time.Now = time.Now.AddMinutes(1);
        using (RunStore.Create(dir.Path, "grpo", null, new { }, time)) { }
        Directory.CreateDirectory(Path.Combine(dir.Path, "not-a-run"));

        var runs = RunStore.List(dir.Path);
        Assert.Equal(["20250102-030405-sft", "20250102-030505-grpo"], runs.Select(r => r.Name));
        Assert.Equal(["sft", "grpo"], runs.Select(r => r.Kind));
        Assert.All(runs, r => Assert.Null(r.LastStep));
        Assert.Empty(RunStore.List(Path.Combine(dir.Path, "missing")));
    }
}
