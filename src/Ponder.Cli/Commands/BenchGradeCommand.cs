using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ponder.Tasks;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench grade</c>: how many (reference, answer) pairs a task's grader decides per second on one
/// thread — the cost of the reward in RL and of every evaluation.</summary>
static class BenchGradeCommand
{
    public static Command Create(CliOutput io)
    {
        var task = new TaskOptions();
        var pairs = new Option<string>("--pairs")
        {
            Description = "JSON lines {\"reference\", \"answer\"}, as for ponder grade.",
            Required = true,
        };
        var passes = new Option<int>("--passes")
        {
            Description = "Timed passes over the file after one warm-up pass; the median is reported.",
            DefaultValueFactory = _ => 3,
        };
        var json = CommonOptions.Json();
        var command = new Command("grade", "Measure a task grader's throughput in pairs per second.")
        {
            pairs,
            passes,
            json,
        };
        task.AddTo(command);
        command.SetAction(r => Run(io, task.Spec(r), r.GetValue(pairs)!, r.GetValue(passes), r.GetValue(json)));
        return command;
    }

    static int Run(CliOutput io, TaskSpec spec, string path, int passes, bool json)
    {
        if (passes < 1)
            throw new PonderException($"--passes must be at least 1 (got {passes}).");
        var grader = GradeCommand.Grader(spec);
        var items = GradeCommand.ReadPairs(path, spec.Name).ToList();
        if (items.Count == 0)
            throw new PonderException($"{path}: no pairs to grade.");
        var correct = Pass(grader, items); // warm-up: JIT and regex construction are not timed
        var rates = new List<double>();
        for (var i = 0; i < passes; i++)
        {
            var clock = Stopwatch.StartNew();
            Pass(grader, items);
            rates.Add(items.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
        }
        rates.Sort();
        var median = rates[rates.Count / 2];
        if (json)
        {
            io.Out.WriteLine(
                CliJson.Line(
                    new Dictionary<string, object?>
                    {
                        ["command"] = "bench grade",
                        ["task"] = spec.Name,
                        ["pairs"] = items.Count,
                        ["correct"] = correct,
                        ["passes"] = passes,
                        ["pairs_per_second"] = median,
                    }
                )
            );
        }
        else
        {
            io.Out.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{spec.Name}: {items.Count} pairs ({correct} correct), {median:F0} pairs/s (median of {passes})"
                )
            );
        }
        return 0;
    }

    static int Pass(IReasoningTask grader, List<(Problem Problem, string Answer)> items) =>
        items.Count(x => grader.Grade(x.Problem, x.Answer).Correct);
}
