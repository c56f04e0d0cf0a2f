using System.CommandLine;
using Ponder.Runs;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder runs</c>: the runs under a folder with their kind, creation time, headline values and last
/// step.</summary>
static class RunsCommand
{
    public static Command Create(CliOutput io)
    {
        var root = new Option<string>("--root")
        {
            Description = "The folder holding run folders.",
            DefaultValueFactory = _ => "runs",
        };
        var json = CommonOptions.Json();
        var command = new Command("runs", "List runs: name, kind, created, headline metrics, last step.")
        {
            root,
            json,
        };
        command.SetAction(r =>
        {
            string folder = r.GetValue(root)!;
            var runs = RunStore.List(folder);
            foreach (var bad in runs.Where(x => x.Error is not null))
                io.Error.WriteLine($"warning: {bad.Error}");
            if (r.GetValue(json))
                PrintJson(io, runs);
            else if (runs.Count == 0)
                io.Error.WriteLine($"no runs under {folder}");
            else
                PrintTable(io, runs);
            return 0;
        });
        return command;
    }

    static void PrintJson(CliOutput io, IReadOnlyList<RunSummary> runs)
    {
        foreach (var run in runs)
        {
            io.Out.WriteLine(
                CliJson.Line(
                    new Dictionary<string, object?>
                    {
                        ["name"] = run.Name,
                        ["kind"] = run.Kind,
                        ["created"] = run.Created,
                        ["last_step"] = run.LastStep,
                        ["headlines"] = run.Headlines,
                        ["error"] = run.Error,
                    }
                )
            );
        }
    }

    static void PrintTable(CliOutput io, IReadOnlyList<RunSummary> runs)
    {
        var table = new Table()
            .AddColumn("name")
            .AddColumn("kind")
            .AddColumn("created")
            .AddColumn("headlines")
            .AddColumn(new TableColumn("last step").RightAligned());
        foreach (var run in runs)
        {
            string headlines = string.Join("  ", run.Headlines.Select(h => $"{h.Key} {h.Value}"));
            table.AddRow(
                Markup.Escape(run.Name),
                Markup.Escape(run.Kind),
                Markup.Escape(run.Created),
                Markup.Escape(headlines),
                run.LastStep?.ToString() ?? "-"
            );
        }
        io.Console.Write(table);
    }
}
