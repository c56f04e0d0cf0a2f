using System.Text.Json;
using Ponder.Runs;

namespace Ponder.Tests.Cli;

/// <summary><c>ponder rl --monitor</c>: the rules file of <c>ponder serve --monitor</c> reads every rollout, its flag
/// rate is logged each step, and the run records which file it used.</summary>
public sealed class MonitorCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    [Fact]
    public void Given_a_monitor_that_flags_every_reasoning_When_rl_runs_Then_each_step_logs_a_flag_rate_of_one()
    {
        string model = dir.File("tiny"),
            run = dir.File("rl"),
            rules = dir.File("rules.json");
        Assert.Equal(0, Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);
        // "^" matches every string, even an empty reasoning.
        File.WriteAllText(rules, """{"rules": [{"pattern": "^", "action": "flag"}]}""");

        var r = Run(
            "rl",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--out",
            run,
            "--steps",
            "2",
            "--prompts",
            "2",
            "--group-size",
            "2",
            "--max-tokens",
            "6",
            "--eval-problems",
            "2",
            "--eval-samples",
            "1",
            "--monitor",
            rules
        );

        Assert.True(r.Code == 0, r.Err);
        using (var store = RunStore.Open(run))
        {
            Assert.Equal([(1, 1.0), (2, 1.0)], store.ReadMetrics("monitor/flag_rate"));
            Assert.Equal([(1, 0.0), (2, 0.0)], store.ReadMetrics("monitor/block_rate"));
        }
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal(rules, config.RootElement.GetProperty("monitor").GetString());
        Assert.Equal(0, config.RootElement.GetProperty("options").GetProperty("MonitorPenalty").GetDouble());
        Assert.Contains("the CoT monitor flagged 4 of 4 rollouts (0 blocked)", r.Err, StringComparison.Ordinal);
    }
}
