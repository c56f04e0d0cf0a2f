using System.Diagnostics;
using System.Globalization;
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
        var (sftModel, sftSeconds, sftFlops) = Sft(io, s, dir, seed, spec, task, init);

        var rl = Rl(io, s, dir, seed, spec, task, sftModel, sftFlops);

        io.Console.MarkupLine("[bold]3/5[/] greedy evaluation of the SFT and RL models");
        stages.Add(WithGreedy(io, "SFT", sftModel, task, s, rl.Evaluations[0], sftSeconds));
        stages.Add(WithGreedy(io, "SFT + RL", rl.FinalModel, task, s, rl.LastEval, rl.Seconds));

        io.Console.MarkupLine("[bold]4/5[/] a process reward model on the RL model's steps (Math-Shepherd labels)");
        var (prmDir, prmNote) = Prm(io, s, dir, seed, task, rl.FinalModel);
        io.Console.MarkupLine("[bold]5/5[/] test-time scaling: thinking budgets × samples × strategies");
        string scaleTable = prmNote + Scale(io, s, dir, seed, task, rl.FinalModel, prmDir);

        string report = Path.Combine(dir, "report.md");
        var figures = new DemoReport.Figures(rl.Curve, scaleTable);
        AtomicFile.WriteAllText(
            report,
            DemoReport.Write(s, stages, rl.StepOverheads, total.Elapsed.TotalMinutes, figures)
        );
        PrintSummary(io, s, stages, total.Elapsed.TotalMinutes);
        return report;
    }

    /// <summary>SFT from the fresh model on the task's search traces; the trained model's folder, the seconds it took
    /// and its training FLOPs.</summary>
    static (string Model, double Seconds, double Flops) Sft(
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
        var (model, _, seconds, flops) = SftSession.Run(
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
        return (model, seconds, flops);
    }

    /// <summary>RL from the SFT model. Its held-out evaluations use the report's problems and samples, so its step 0
    /// (the SFT model, before any update) and its last step are the table's SFT and SFT + RL rows as well as the ends
    /// of the train-time figure, whose compute starts at SFT's.</summary>
    static RlResult Rl(
        CliOutput io,
        DemoSettings s,
        string dir,
        int seed,
        TaskSpec spec,
        IReasoningTask task,
        string sftModel,
        double sftFlops
    )
    {
        var options = s.Rl with
        {
            Seed = seed,
            MaxCompletionTokens = s.MaxCompletionTokens,
            EvalProblems = s.EvalProblems,
            EvalSamples = s.EvalSamples,
        };
        io.Console.MarkupLine(
            $"[bold]2/5[/] reinforcement learning, held-out pass@1 at steps {string.Join(", ", options.EvalSteps)} "
                + "(step 0: the SFT model)"
        );
        string rlDir = Path.Combine(dir, "rl");
        using var fleet =
            s.RolloutReplicas > 0 ? LocalFleet.Start(sftModel, s.RolloutReplicas, options.GroupSize) : null;
        return RlSession.Run(
            io,
            sftModel,
            task,
            options,
            new RlRunSettings(
                rlDir,
                Resume: false,
                DType: "float32",
                Task: spec,
                StartFlops: sftFlops,
                Fleet: fleet?.Options(Path.Combine(rlDir, "sync"))
            )
        );
    }

    /// <summary>Trains the process reward model on the RL model (written under prm/); its folder and a paragraph for
    /// the report with its held-out step metrics.</summary>
    static (string Dir, string Note) Prm(
        CliOutput io,
        DemoSettings s,
        string dir,
        int seed,
        IReasoningTask task,
        string model
    )
    {
        string prmDir = Path.Combine(dir, "prm");
        var data = s.Prm.Data with { Seed = seed };
        var process = new Scoring.ProcessDataOptions(task.StepSeparator, s.Prm.Labels with { Seed = seed });
        var lm = LanguageModel.Load(model);
        var (scorer, r) = CliProgress.Run(
            io,
            "prm",
            data.Problems * data.SamplesPerProblem,
            p =>
                Scoring.ProcessTraining.Run(
                    lm,
                    model,
                    task,
                    data,
                    process,
                    s.Prm.Training with
                    {
                        Seed = seed,
                    },
                    null,
                    p
                )
        );
        using (scorer)
            scorer.Save(prmDir);
        static string F(double? v) => v is double x ? x.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
        string note =
            $"Process reward model (prm/: {data.Problems} training problems × {data.SamplesPerProblem} samples, each "
            + $"step labelled by {process.Labels.RolloutsPerStep} continuations; held out: {r.Solutions} solutions, "
            + $"{r.Steps} steps): step AUC {F(r.StepAuc)}, first-error F1 {F(r.FirstErrorF1)}, within-problem AUC of "
            + $"the last step {F(r.WithinProblemAuc)}; on the "
            + $"{r.RuleSteps} steps the rule can check (`a op b=c`), \"score ≥ ½\" agrees with the rule on "
            + $"{F(r.RuleAgreement)} (AUC {F(r.RuleAuc)}) and the Monte-Carlo labels on {F(r.LabelRuleAgreement)}. "
            + "Best-of-N (rerank) and weighted voting read its scores (the last step's); beam and DVTS search with "
            + "it at the largest budget.\n\n";
        return (prmDir, note);
    }

    /// <summary>The sweep over thinking budgets, sample counts and strategies on the RL model, written under scale/;
    /// its table for the report.</summary>
    static string Scale(
        CliOutput io,
        DemoSettings s,
        string dir,
        int seed,
        IReasoningTask task,
        string model,
        string prmDir
    )
    {
        using var lm = LanguageModel.Load(model);
        using var prm = Scoring.ProcessScorer.Load(prmDir, lm, null);
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
                    TestTime.SweepScorer.Of(prm),
                    modelName: "demo SFT + RL",
                    progress: p
                )
        );
        TestTime.ScalingReport.Write(Path.Combine(dir, "scale"), result);
        Plots.ScalingPlot.Write(Path.Combine(dir, "scale"), result);
        return TestTime.ScalingReport.Markdown(result);
    }

    /// <summary>A row of the report: the sampled metrics of RL's evaluation of <paramref name="model"/> (its "eval/"
    /// keys) and the model's greedy pass@1 on the same problems.</summary>
    static Stage WithGreedy(
        CliOutput io,
        string name,
        string model,
        IReasoningTask task,
        DemoSettings s,
        Dictionary<string, double> sampled,
        double trainSeconds
    )
    {
        using var lm = LanguageModel.Load(model);
        var problems = HeldOut.Problems(task, s.EvalProblems);
        var greedy = new SamplingOptions { Temperature = 0, MaxNewTokens = s.MaxCompletionTokens };
        var (g, _) = CliProgress.Run(
            io,
            $"{name}: greedy, {problems.Count} problems",
            1,
            _ => HeldOut.Evaluate(lm, task, problems, greedy, prefix: "greedy ")
        );
        var metrics = sampled
            .Where(kv => kv.Key.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[Prefix.Length..], kv => kv.Value);
        metrics["greedy pass@1"] = g["greedy pass@1"];
        return new Stage(name, metrics, trainSeconds);
    }

    const string Prefix = "eval/";

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
                DemoReport.Steps(st),
            ]);
        }

        io.Console.Write(table);
        io.Console.MarkupLine($"total {minutes:F1} min");
        if (s.Smoke)
            io.Console.MarkupLine($"[yellow]{Markup.Escape(DemoSettings.SmokeNote)}[/]");
    }
}
