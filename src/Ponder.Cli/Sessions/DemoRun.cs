using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ponder.Checkpoints;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Tasks;
using Ponder.Training;
using Spectre.Console;

namespace Ponder.Cli.Sessions;

/// <summary>The demo pipeline and its report. Each stage writes its own run folder under the demo folder.</summary>
static class DemoRun
{
    public sealed record Stage(string Name, Dictionary<string, double> Metrics, double Seconds);

    public static string Run(CliOutput io, DemoSettings s, string dir, int seed)
    {
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(dir);
        var spec = new TaskSpec("countdown", Settings: s.TaskSettings, Seed: seed);
        var task = spec.Create();
        var stages = new List<Stage>();

        string settings = string.Join(", ", s.TaskSettings.Select(kv => $"{kv.Key}={kv.Value}"));
        io.Console.MarkupLine(
            $"[bold]Ponder demo[/] → {Markup.Escape(dir)}: Countdown ({settings}), {s.Preset} model from scratch"
        );
        if (s.Smoke)
            io.Console.MarkupLine($"[yellow]{Markup.Escape(DemoSettings.SmokeNote)}[/]");
        string init = Path.Combine(dir, "init");
        using (var fresh = LanguageModel.CreateFromScratch(s.Preset, "qwen2", seed))
            fresh.Save(init);

        io.Console.MarkupLine("[bold]1/5[/] supervised fine-tuning on search traces");
        var (sftModel, sftSeconds) = Sft(io, s, dir, seed, spec, task, init);

        io.Console.MarkupLine("[bold]2/5[/] evaluating the SFT model");
        stages.Add(Evaluate(io, "SFT", sftModel, task, s, seed, sftSeconds));

        io.Console.MarkupLine("[bold]3/5[/] reinforcement learning");
        var rl = s.Rl with { Seed = seed, MaxCompletionTokens = s.MaxCompletionTokens };
        var (rlModel, _, rlSeconds, overheads) = RlSession.Run(
            io,
            sftModel,
            task,
            rl,
            new RlRunSettings(Path.Combine(dir, "rl"), Resume: false, DType: "float32", Task: spec)
        );

        io.Console.MarkupLine("[bold]4/5[/] evaluating the RL model");
        stages.Add(Evaluate(io, "SFT + RL", rlModel, task, s, seed, rlSeconds));

        io.Console.MarkupLine("[bold]5/5[/] test-time scaling: thinking budgets × samples");
        string scaleTable = Scale(io, s, dir, seed, task, rlModel);

        string report = Path.Combine(dir, "report.md");
        AtomicFile.WriteAllText(report, Report(s, stages, overheads, total.Elapsed.TotalMinutes, scaleTable));
        PrintSummary(io, s, stages, total.Elapsed.TotalMinutes);
        return report;
    }

    /// <summary>SFT from the fresh model on the task's search traces; the trained model's folder and the
    /// seconds it took.</summary>
    static (string Model, double Seconds) Sft(
        CliOutput io,
        DemoSettings s,
        string dir,
        int seed,
        TaskSpec spec,
        IReasoningTask task,
        string init
    )
    {
        var sft = s.Sft with { Seed = seed };
        var (model, _, seconds) = SftSession.Run(
            io,
            init,
            task,
            SftData.FromTask((ITraceTask)task, seed, s.SftProblems),
            sft,
            new SftRunSettings(
                Path.Combine(dir, "sft"),
                Resume: false,
                DType: "float32",
                EvalProblems: s.EvalProblems,
                EvalMaxTokens: s.MaxCompletionTokens,
                Task: spec
            )
        );
        return (model, seconds);
    }

    /// <summary>The sweep over thinking budgets and sample counts on the RL model, written under scale/; its
    /// table for the report.</summary>
    static string Scale(CliOutput io, DemoSettings s, string dir, int seed, IReasoningTask task, string model)
    {
        using var lm = LanguageModel.Load(model);
        var problems = HeldOut.Problems(task, s.ScaleProblems);
        var result = CliProgress.Run(
            io,
            "scale",
            s.Scale.Budgets.Count * problems.Count * s.Scale.MaxSamples,
            p =>
                TestTime.ScalingSweep.Run(
                    lm,
                    task,
                    problems,
                    s.Scale with
                    {
                        Seed = seed,
                    },
                    modelName: "demo SFT + RL",
                    progress: p
                )
        );
        TestTime.ScalingReport.Write(Path.Combine(dir, "scale"), result);
        Plots.ScalingPlot.Write(Path.Combine(dir, "scale"), result);
        return TestTime.ScalingReport.Markdown(result);
    }

    static Stage Evaluate(
        CliOutput io,
        string name,
        string model,
        IReasoningTask task,
        DemoSettings s,
        int seed,
        double trainSeconds
    )
    {
        using var lm = LanguageModel.Load(model);
        var problems = HeldOut.Problems(task, s.EvalProblems);
        var options = new SamplingOptions
        {
            Temperature = 1.0,
            N = s.EvalSamples,
            MaxNewTokens = s.MaxCompletionTokens,
            Seed = seed + 1,
        };
        var (metrics, _) = CliProgress.Run(
            io,
            $"{name}: {problems.Count}×{s.EvalSamples} samples",
            1,
            _ => HeldOut.Evaluate(lm, task, problems, options, prefix: "")
        );
        var greedy = new SamplingOptions { Temperature = 0, MaxNewTokens = s.MaxCompletionTokens };
        var (g, _) = HeldOut.Evaluate(lm, task, problems, greedy, prefix: "greedy ");
        metrics["greedy pass@1"] = g["greedy pass@1"];
        return new Stage(name, metrics, trainSeconds);
    }

    static string Steps(Stage st) =>
        st.Metrics.TryGetValue("step_accuracy", out var v) ? v.ToString("P1", CultureInfo.InvariantCulture) : "—";

    internal static void PrintSummary(CliOutput io, DemoSettings s, List<Stage> stages, double minutes)
    {
        var keys = stages[0].Metrics.Keys.Where(k => k.Contains('@', StringComparison.Ordinal)).ToList();
        var table = new Table().AddColumn("model");
        foreach (var k in keys)
            table.AddColumn(new TableColumn(k).RightAligned());
        table.AddColumn(new TableColumn("reasoning tokens").RightAligned());
        table.AddColumn(new TableColumn("right steps").RightAligned());
        foreach (var st in stages)
        {
            table.AddRow([
                st.Name,
                .. keys.Select(k => st.Metrics.GetValueOrDefault(k).ToString("P1", CultureInfo.InvariantCulture)),
                st.Metrics.GetValueOrDefault("reasoning_tokens").ToString("F0", CultureInfo.InvariantCulture),
                Steps(st),
            ]);
        }

        io.Console.Write(table);
        io.Console.MarkupLine($"total {minutes:F1} min");
        if (s.Smoke)
            io.Console.MarkupLine($"[yellow]{Markup.Escape(DemoSettings.SmokeNote)}[/]");
    }

    internal static string Report(
        DemoSettings s,
        List<Stage> stages,
        IReadOnlyList<double> overheads,
        double minutes,
        string scaleTable
    )
    {
        var md = new StringBuilder();
        md.AppendLine(s.Smoke ? "# Ponder demo report (smoke run)" : "# Ponder demo report").AppendLine();
        if (s.Smoke)
            md.AppendLine(CultureInfo.InvariantCulture, $"**{DemoSettings.SmokeNote}**").AppendLine();
        md.AppendLine(
                CultureInfo.InvariantCulture,
                $"Countdown ({string.Join(", ", s.TaskSettings.Select(kv => $"{kv.Key}={kv.Value}"))}), a "
                    + $"{s.Preset} model trained from scratch: SFT on search traces, then RL ({s.Rl.Algorithm}). "
                    + $"Held-out problems: {s.EvalProblems}, {s.EvalSamples} samples each at temperature 1, "
                    + $"completions up to {s.MaxCompletionTokens} tokens. Total time {minutes:F1} min."
            )
            .AppendLine();
        AppendStages(md, stages);
        md.AppendLine(
                "Right steps: the share of the reasoning's `a op b=c` lines whose arithmetic holds (sampled "
                    + "at temperature 1) — how far the search in the thinking can be trusted."
            )
            .AppendLine();
        if (stages.Count == 2)
        {
            double lift = (stages[1].Metrics["pass@1"] - stages[0].Metrics["pass@1"]) * 100;
            md.AppendLine(CultureInfo.InvariantCulture, $"RL changed held-out pass@1 by {lift:+0.0;-0.0} points.")
                .AppendLine();
        }
        if (overheads.Count > 0)
        {
            double median = overheads.Order().ElementAt(overheads.Count / 2);
            md.AppendLine(
                    CultureInfo.InvariantCulture,
                    $"RL step time / (generate + update time): median {median:F3}, max {overheads.Max():F3}."
                )
                .AppendLine();
        }
        AppendFigures(md, scaleTable);
        return md.ToString();
    }

    /// <summary>One table row per evaluated model: its metrics@k, reasoning length, right steps and training
    /// time.</summary>
    static void AppendStages(StringBuilder md, List<Stage> stages)
    {
        var keys = stages[0].Metrics.Keys.Where(k => k.Contains('@', StringComparison.Ordinal)).ToList();
        md.AppendLine("| model | " + string.Join(" | ", keys) + " | reasoning tokens | right steps | training time |");
        md.AppendLine("|---|" + string.Concat(keys.Select(_ => "---:|")) + "---:|---:|---:|");
        foreach (var st in stages)
        {
            var values = keys.Select(k => st.Metrics.GetValueOrDefault(k).ToString("P1", CultureInfo.InvariantCulture));
            double reasoning = st.Metrics.GetValueOrDefault("reasoning_tokens");
            string name = st.Name;
            md.AppendLine(
                CultureInfo.InvariantCulture,
                $"| {name} | {string.Join(" | ", values)} | {reasoning:F0} | {Steps(st)} | {st.Seconds / 60:F1} min |"
            );
        }
        md.AppendLine();
    }

    static void AppendFigures(StringBuilder md, string scaleTable)
    {
        md.AppendLine("## Train-time compute")
            .AppendLine()
            .AppendLine("![held-out pass@1 vs training FLOPs](rl/train_scaling.png)")
            .AppendLine();
        md.AppendLine("## Test-time compute")
            .AppendLine()
            .AppendLine("![accuracy vs test-time FLOPs](scale/scale.png)")
            .AppendLine()
            .AppendLine(scaleTable);
        md.AppendLine("## Training curves")
            .AppendLine()
            .AppendLine(
                "![SFT loss](sft/loss.png) ![SFT held-out accuracy](sft/accuracy.png) ![RL held-out "
                    + "accuracy](rl/accuracy.png)"
            )
            .AppendLine();
    }
}
