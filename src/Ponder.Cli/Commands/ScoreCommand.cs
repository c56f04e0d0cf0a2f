using System.CommandLine;
using Ponder.Evaluation;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder score</c>: pass@1, pass@k, cons@k, rerank@k and weighted@k from a file of graded
/// samples.</summary>
static class ScoreCommand
{
    public static Command Create(CliOutput io)
    {
        var samples = new Option<string>("--samples")
        {
            Description =
                "JSON lines with problem_id, answer (canonical or null), correct; optional score and sample_index.",
            Required = true,
        };
        var ks = new Option<string?>("--k")
        {
            Description = "Comma-separated k values, e.g. 1,4,16. Default: 1 and powers of 2 up to the largest n.",
        };
        var json = CommonOptions.Json();
        var command = new Command("score", "Compute evaluation metrics from graded samples.") { samples, ks, json };
        command.SetAction(r =>
        {
            var given = r.GetValue(ks) is { } text ? ParseKs(text) : null;
            var graded = GradedSampleFile.Read(r.GetValue(samples)!);
            var kList = given ?? Metrics.DefaultKs(Metrics.GroupByProblem(graded).Max(p => p.Count));
            var report = Metrics.Compute(graded, kList);
            if (r.GetValue(json))
            {
                var line = new Dictionary<string, object>();
                foreach (var (name, value) in report.Named())
                    line[name] = value;
                line["problems"] = report.Problems;
                line["samples"] = report.Samples;
                line["warnings"] = report.Warnings;
                io.Out.WriteLine(CliJson.Line(line));
                return 0;
            }
            Print(io, report);
            return 0;
        });
        return command;
    }

    internal static List<int> ParseKs(string text)
    {
        var ks = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, out int k) || k < 1)
                throw new PonderException($"--k: \"{part}\" is not a positive integer (expected e.g. 1,4,16).");
            if (!ks.Contains(k))
                ks.Add(k);
        }
        if (ks.Count == 0)
            throw new PonderException("--k: no values given (expected e.g. 1,4,16).");
        return ks;
    }

    static void Print(CliOutput io, MetricsReport report)
    {
        var table = new Table()
            .AddColumn("k")
            .AddColumn(new TableColumn("pass@k").RightAligned())
            .AddColumn(new TableColumn("cons@k").RightAligned());
        if (report.HasScores)
        {
            table
                .AddColumn(new TableColumn("rerank@k").RightAligned())
                .AddColumn(new TableColumn("weighted@k").RightAligned());
        }

        table.AddColumn(new TableColumn("problems").RightAligned());
        foreach (var m in report.PerK)
        {
            var row = new List<string> { m.K.ToString(), Percent(m.PassAtK), Percent(m.ConsAtK) };
            if (report.HasScores)
                row.AddRange([Percent(m.RerankAtK!.Value), Percent(m.WeightedAtK!.Value)]);
            row.Add(m.Problems.ToString());
            table.AddRow(row.ToArray());
        }
        table.Caption($"pass@1 {Percent(report.PassAt1)} · {report.Problems} problems · {report.Samples} samples");
        io.Console.Write(table);
        foreach (string w in report.Warnings)
            io.Error.WriteLine($"warning: {w}");
    }

    static string Percent(double value) => $"{100 * value:0.0}%";
}
