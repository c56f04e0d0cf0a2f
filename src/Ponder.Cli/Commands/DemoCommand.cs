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
        var command = new Command(
            "demo",
            "The whole path on one machine: Countdown, SFT from scratch, RL, evaluation, report."
        )
        {
            quick,
            outDir,
            seed,
        };
        command.SetAction(r =>
        {
            var settings = r.GetValue(quick) ? DemoSettings.Quick() : DemoSettings.Full();
            string dir = r.GetValue(outDir) ?? Path.Combine("runs", $"demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            var report = DemoRun.Run(io, settings, dir, r.GetValue(seed));
            io.Out.WriteLine($"report: {report}");
            return 0;
        });
        return command;
    }
}
