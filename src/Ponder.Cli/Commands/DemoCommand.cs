using System.CommandLine;
using System.Globalization;
using Ponder.Cli.Sessions;
using Ponder.Generation;
using Ponder.Tasks;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder demo</c>: Countdown data → SFT from scratch → evaluate → RL → evaluate → report.md.</summary>
static class DemoCommand
{
    public static Command Create(CliOutput io)
    {
        var quick = new Option<bool>("--quick")
        {
            Description =
                "A smoke run of the same pipeline, a few minutes long: it checks that everything runs; its "
                + "accuracies are not meaningful.",
        };
        var outDir = new Option<string?>("--out") { Description = "Run folder (default runs/demo-<time>)." };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the model, data and sampling.",
            DefaultValueFactory = _ => 0,
        };
        var replicas = new Option<int>("--rollout-replicas")
        {
            Description =
                "Sample RL's rollouts on this many ponder serve replicas started in this process (over "
                + "HTTP, weights synced every step) instead of the trainer's own engine.",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command(
            "demo",
            "The whole path on one machine: Countdown, SFT from scratch, RL, evaluation, report."
        )
        {
            quick,
            outDir,
            seed,
            replicas,
        };
        command.SetAction(r =>
        {
            var settings = (r.GetValue(quick) ? DemoSettings.Quick() : DemoSettings.Full()) with
            {
                RolloutReplicas = r.GetValue(replicas) is >= 0 and var n
                    ? n
                    : throw new PonderException($"--rollout-replicas {r.GetValue(replicas)}: must be 0 or more."),
            };
            string dir = r.GetValue(outDir) ?? Path.Combine("runs", $"demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            var report = DemoRun.Run(io, settings, dir, r.GetValue(seed));
            io.Out.WriteLine($"report: {report}");
            return 0;
        });
        return command;
    }
}
