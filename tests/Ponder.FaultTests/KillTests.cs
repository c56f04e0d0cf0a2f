using System.Diagnostics;
using Xunit.Abstractions;

namespace Ponder.FaultTests;

/// <summary>
/// kill -9 at random moments — and while a checkpoint is being written — then <c>--resume</c>: the run ends with the
/// same weights and metrics as an uninterrupted one, no step logged twice (SQLite or TensorBoard) and no interrupted
/// write left behind. Seeded: the same moments every run of the suite.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Category", "Fault")]
public sealed class KillTests(ITestOutputHelper output) : IDisposable
{
    const int Trials = 10;
    readonly string root = Path.Combine(Path.GetTempPath(), "ponder-fault-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException) { }
    }

    string Init()
    {
        string model = Path.Combine(root, "init");
        var r = PonderProcess.Run("init", "--out", model, "--preset", "tiny", "--seed", "3");
        Assert.True(r.Code == 0, r.Err);
        return model;
    }

    static string[] Sft(string model, string run) =>
        [
            "sft",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--task-option",
            "max-digits=2",
            "--task-option",
            "min-digits=1",
            "--train-problems",
            "40",
            "--steps",
            "24",
            "--batch-size",
            "4",
            "--checkpoint-every",
            "4",
            "--eval-every",
            "12",
            "--eval-problems",
            "4",
            "--eval-max-tokens",
            "16",
            "--out",
            run,
        ];

    static string[] Rl(string model, string run) =>
        [
            "rl",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--task-option",
            "max-digits=2",
            "--task-option",
            "min-digits=1",
            "--steps",
            "8",
            "--prompts",
            "2",
            "--group-size",
            "4",
            "--max-tokens",
            "16",
            "--format-reward",
            "0.5",
            "--checkpoint-every",
            "2",
            "--eval-every",
            "4",
            "--eval-problems",
            "2",
            "--eval-samples",
            "2",
            "--out",
            run,
        ];

    [Fact]
    public void Given_sft_killed_at_random_moments_When_resumed_Then_it_ends_as_an_uninterrupted_run() =>
        RunTrials("sft", Sft, seed: 1);

    [Fact]
    public void Given_rl_killed_at_random_moments_When_resumed_Then_it_ends_as_an_uninterrupted_run() =>
        RunTrials("rl", Rl, seed: 2);

    void RunTrials(string kind, Func<string, string, string[]> command, int seed)
    {
        string model = Init();
        string reference = Path.Combine(root, kind + "-reference");
        var clock = Stopwatch.StartNew();
        var r = PonderProcess.Run(command(model, reference));
        Assert.True(r.Code == 0, r.Err);
        var length = clock.Elapsed;
        var rng = new Random(seed);
        int duringWrites = 0;
        for (int trial = 0; trial < Trials; trial++)
        {
            string run = Path.Combine(root, $"{kind}-{trial}");
            bool atCheckpoint = trial % 2 == 1;
            var delay = length * (0.15 + 0.8 * rng.NextDouble());
            bool caughtWriting = KillOnce(command(model, run), run, atCheckpoint ? null : delay);
            duringWrites += caughtWriting ? 1 : 0;
            var resumed = PonderProcess.Run([.. command(model, run), "--resume"]);

            Assert.True(resumed.Code == 0, $"trial {trial}: {resumed.Err}");
            Assert.Equal(RunFolders.Weights(reference), RunFolders.Weights(run));
            Assert.Equal(RunFolders.Metrics(reference), RunFolders.Metrics(run));
            Assert.Equal(0, RunFolders.DuplicateRows(run));
            Assert.Equal(0, RunFolders.DuplicateEvents(run));
            Assert.Empty(RunFolders.Leftovers(run));
        }
        output.WriteLine(
            $"fault-suite {kind}: {Trials} kill -9 trials, {duringWrites} killed with a checkpoint write in progress, "
                + "all resumed to the uninterrupted run's weights and metrics"
        );
    }

    /// <summary>Starts the run and kills it after <paramref name="delay"/>, or (null) as soon as a checkpoint write
    /// begins; returns whether a write was in progress when it died.</summary>
    static bool KillOnce(string[] args, string run, TimeSpan? delay)
    {
        using var p = PonderProcess.Start(args);
        var clock = Stopwatch.StartNew();
        string checkpoints = Path.Combine(run, "checkpoints");
        while (!p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            bool writing = Directory.Exists(checkpoints) && Directory.GetDirectories(checkpoints, "*.tmp").Length > 0;
            if (delay is { } d ? clock.Elapsed >= d : writing)
                break;
            Thread.Sleep(delay is null ? 1 : 10);
        }
        p.Kill();
        return RunFolders.Leftovers(run).Length > 0;
    }
}
