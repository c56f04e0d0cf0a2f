using System.Text.Json;
using Ponder.Runs;
using static Ponder.Tests.Cli.PonderCli;

namespace Ponder.Tests.Cli;

/// <summary><c>ponder rl --tools python</c>: rollouts and held-out problems are episodes with the tool (run in the
/// sandbox, so the test joins its collection), and the run records its tools for resumes.</summary>
[Collection(Ponder.Tests.Tasks.Code.CodeFixture.Collection)]
public sealed class ToolRlCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Given_tools_When_rl_runs_Then_held_out_problems_are_episodes_and_config_records_the_tools()
    {
        string model = dir.File("tiny"),
            run = dir.File("rl");
        Assert.Equal(0, Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);

        var r = Run(
            "rl",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--task-option",
            "tool=python",
            "--out",
            run,
            "--steps",
            "1",
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
            "--tools",
            "python",
            "--no-tool-definitions",
            "--max-turns",
            "2"
        );

        Assert.True(r.Code == 0, r.Err);
        using (var store = RunStore.Open(run))
            Assert.NotEmpty(store.ReadMetrics("eval/turns"));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        var tools = config.RootElement.GetProperty("tools");
        Assert.Equal("python", tools.GetProperty("Names")[0].GetString());
        Assert.Equal(2, tools.GetProperty("Turns").GetProperty("MaxTurns").GetInt32());
    }

    [Fact]
    public void Given_tools_and_rollout_endpoints_Then_rl_refuses_before_any_work()
    {
        string model = dir.File("tiny");
        Assert.Equal(0, Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);

        var r = Run(
            "rl",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--out",
            dir.File("rl"),
            "--tools",
            "python",
            "--rollout-endpoints",
            "http://127.0.0.1:9/v1"
        );

        Assert.NotEqual(0, r.Code);
        Assert.Contains("runs multi-turn rollouts on the trainer's own engine; drop --rollout-endpoints", r.Err);
    }
}
