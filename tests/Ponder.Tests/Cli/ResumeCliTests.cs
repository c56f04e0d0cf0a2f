using System.Text.Json.Nodes;
using Ponder.Runs;
using Ponder.Tests.Runs;

namespace Ponder.Tests.Cli;

/// <summary>What <c>--resume</c> continues, restarts, refuses and records.</summary>
public sealed class ResumeCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    string Tiny()
    {
        string model = dir.File("tiny");
        Assert.Equal(0, Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);
        return model;
    }

    static string[] Rl(string model, string run, params string[] extra) =>
        [
            "rl",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--out",
            run,
            "--prompts",
            "2",
            "--group-size",
            "2",
            "--max-tokens",
            "8",
            "--eval-problems",
            "2",
            "--eval-samples",
            "1",
            .. extra,
        ];

    [Fact]
    public void Given_an_rl_run_that_died_before_its_first_checkpoint_When_resumed_Then_it_starts_over_cleanly()
    {
        // The dead run logged its step-0 evaluation and two steps, then died before the checkpoint at step 20.
        string model = Tiny(),
            run = dir.File("rl");
        using (var dead = RunStore.Create(dir.Path, "rl", "rl", new { }))
        {
            dead.LogMetrics(0, new Dictionary<string, double> { ["eval/pass@1"] = 0, ["eval/compute_flops"] = 0 });
            dead.LogMetrics(1, new Dictionary<string, double> { ["reward/mean"] = 0.5 });
            dead.LogMetrics(2, new Dictionary<string, double> { ["reward/mean"] = 0.5 });
        }

        var resumed = Run(Rl(model, run, "--steps", "2", "--resume"));

        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("starting it over", resumed.Err, StringComparison.Ordinal);
        using var store = RunStore.Open(run);
        Assert.Equal([0, 2], store.ReadMetrics("eval/pass@1").Select(p => p.Step));
        Assert.Equal([1, 2], store.ReadMetrics("reward/mean").Select(p => p.Step));
        var events = TensorBoardEvents.Read(store.TensorBoardDir);
        Assert.Equal(events.Count, events.Select(e => (e.Tag, e.Step)).Distinct().Count());
    }

    [Fact]
    public void Given_a_resume_with_another_learning_rate_Then_it_is_refused_naming_the_option_and_both_values()
    {
        string model = Tiny(),
            run = dir.File("rl");
        Assert.Equal(0, Run(Rl(model, run, "--steps", "1", "--lr", "1e-4")).Code);

        var changed = Run(Rl(model, run, "--steps", "2", "--lr", "3e-4", "--resume"));

        Assert.NotEqual(0, changed.Code);
        Assert.Contains("--lr 0.0003 where the run has 0.0001", changed.Err, StringComparison.Ordinal);
        Assert.Single(changed.Err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Given_a_resume_with_more_steps_Then_the_change_is_recorded_at_the_step_it_took_effect()
    {
        string model = Tiny(),
            run = dir.File("rl");
        Assert.Equal(0, Run(Rl(model, run, "--steps", "1")).Code);

        var resumed = Run(Rl(model, run, "--steps", "2", "--resume"));

        Assert.True(resumed.Code == 0, resumed.Err);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(run, RunStore.ConfigFile)))!;
        Assert.Equal(2, (int)config["options"]!["Steps"]!);
        var record = Assert.Single(config["resumes"]!.AsArray())!;
        Assert.Equal(1, (int)record["step"]!);
        Assert.Equal(1, (int)record["changed"]!["options.Steps"]!["from"]!);
        Assert.Equal(2, (int)record["changed"]!["options.Steps"]!["to"]!);
    }

    [Fact]
    public void Given_a_run_from_before_an_option_existed_When_resumed_with_it_off_Then_the_resume_is_not_refused()
    {
        // A run started by an earlier version has no PartialReward or MonitorPenalty in its config.json; both are off
        // (false, 0) now, which is how that run trained.
        string model = Tiny(),
            run = dir.File("rl");
        Assert.Equal(0, Run(Rl(model, run, "--steps", "1")).Code);
        string file = Path.Combine(run, RunStore.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(file))!;
        Assert.True(config["options"]!.AsObject().Remove("PartialReward"));
        Assert.True(config["options"]!.AsObject().Remove("MonitorPenalty"));
        File.WriteAllText(file, config.ToJsonString());

        var resumed = Run(Rl(model, run, "--steps", "2", "--resume"));

        Assert.True(resumed.Code == 0, resumed.Err);
        // A new option turned on is still a change the resume refuses.
        var on = Run(Rl(model, run, "--steps", "3", "--partial-reward", "--resume"));
        Assert.Contains("--partial-reward true where the run has false", on.Err, StringComparison.Ordinal);
    }
}
