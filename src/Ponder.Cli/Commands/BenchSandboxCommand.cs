using System.CommandLine;
using System.Globalization;
using Ponder.Benchmarks;
using Ponder.Sandbox;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench sandbox</c>: the code reward's throughput (graded programs per second) and the sandbox's
/// overhead per run against a bare <c>python3</c> run, both timed in the same process.</summary>
static class BenchSandboxCommand
{
    public static Command Create(CliOutput io)
    {
        var workers = new Option<int>("--workers")
        {
            Description = "Programs graded at once.",
            DefaultValueFactory = _ => 2,
        };
        var programs = new Option<int>("--programs")
        {
            Description = "Trivial programs graded per repeat (half as many single runs for the overhead).",
            DefaultValueFactory = _ => 100,
        };
        var repeats = new Option<int>("--repeats")
        {
            Description = "Repeats; medians are reported.",
            DefaultValueFactory = _ => 3,
        };
        var json = CommonOptions.Json();
        var command = new Command("sandbox", "Measure graded programs per second and the sandbox's overhead per run.")
        {
            workers,
            programs,
            repeats,
            json,
        };
        command.SetAction(r =>
            Run(io, r.GetValue(workers), r.GetValue(programs), r.GetValue(repeats), r.GetValue(json))
        );
        return command;
    }

    static int Run(CliOutput io, int workers, int programs, int repeats, bool json)
    {
        using var sandbox = Bubblewrap.Open(workers);
        var m = SandboxThroughput.Measure(sandbox, programs, repeats);
        if (json)
        {
            io.Out.WriteLine(
                CliJson.Line(
                    new Dictionary<string, object?>
                    {
                        ["command"] = "bench sandbox",
                        ["workers"] = m.Workers,
                        ["programs"] = m.Programs,
                        ["repeats"] = repeats,
                        ["programs_per_second"] = m.ProgramsPerSecond,
                        ["sandbox_run_ms"] = m.SandboxRunSeconds * 1e3,
                        ["bare_run_ms"] = m.BareRunSeconds * 1e3,
                        ["overhead_ratio"] = m.OverheadRatio,
                    }
                )
            );
            return 0;
        }
        io.Out.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{m.ProgramsPerSecond:F1} programs/s graded with {m.Workers} workers; one run "
                    + $"{m.SandboxRunSeconds * 1e3:F1} ms sandboxed vs {m.BareRunSeconds * 1e3:F1} ms bare python3 "
                    + $"({m.OverheadRatio:F2}×), medians of {repeats}"
            )
        );
        return 0;
    }
}
