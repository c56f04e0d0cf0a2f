using System.Globalization;
using System.Text;
using Ponder.Plots;

namespace Ponder.Cli.Sessions;

/// <summary>The demo's report.md: the models' table, the train-time figure with its points, the test-time figure with
/// its table, and the training curves.</summary>
static class DemoReport
{
    /// <summary>What the figures section shows: the train-time curve's points and the test-time sweep's
    /// table.</summary>
    internal sealed record Figures(IReadOnlyList<TrainPoint> Curve, string ScaleTable);

    internal static string Steps(DemoRun.Stage st) =>
        st.Metrics.TryGetValue("step_accuracy", out var v) ? v.ToString("P1", CultureInfo.InvariantCulture) : "—";

    internal static string Write(
        DemoSettings s,
        List<DemoRun.Stage> stages,
        IReadOnlyList<double> overheads,
        double minutes,
        Figures figures
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
        if (s.RolloutReplicas > 0)
        {
            md.AppendLine(
                    "RL rollouts were sampled on "
                        + s.RolloutReplicas.ToString(CultureInfo.InvariantCulture)
                        + " `ponder serve` replicas in this process, over HTTP, with the weights synced from disk "
                        + "before every step."
                )
                .AppendLine();
        }
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
        AppendFigures(md, s, figures);
        return md.ToString();
    }

    /// <summary>One table row per evaluated model: its metrics@k, reasoning length, right steps and training
    /// time.</summary>
    static void AppendStages(StringBuilder md, List<DemoRun.Stage> stages)
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

    static void AppendFigures(StringBuilder md, DemoSettings s, Figures figures)
    {
        md.AppendLine("## Train-time compute")
            .AppendLine()
            .AppendLine("![held-out pass@1 vs training FLOPs](rl/train_scaling.png)")
            .AppendLine();
        AppendCurve(md, s, figures.Curve);
        md.AppendLine("## Test-time compute")
            .AppendLine()
            .AppendLine("![accuracy vs test-time FLOPs](scale/scale.png)")
            .AppendLine()
            .AppendLine(figures.ScaleTable);
        md.AppendLine("## Training curves")
            .AppendLine()
            .AppendLine(
                "![SFT loss](sft/loss.png) ![SFT held-out accuracy](sft/accuracy.png) ![RL held-out "
                    + "accuracy](rl/accuracy.png)"
            )
            .AppendLine();
    }

    /// <summary>The train-time figure's points as a table: RL step, training FLOPs (SFT's included), pass@1 and its
    /// 95 % interval.</summary>
    static void AppendCurve(StringBuilder md, DemoSettings s, IReadOnlyList<TrainPoint> curve)
    {
        if (curve.Count == 0)
            return;
        md.Append(CultureInfo.InvariantCulture, $"Held-out pass@1 ({s.EvalProblems} problems × {s.EvalSamples} ")
            .AppendLine(
                "samples) through RL; step 0 is the SFT model, and the FLOPs count SFT's too. The 95 % interval is "
                    + "normal on the per-problem means: problems, not samples, are the unit."
            )
            .AppendLine();
        md.AppendLine("| RL step | training FLOPs | pass@1 | 95 % interval |").AppendLine("|---:|---:|---:|---:|");
        foreach (var p in curve)
        {
            md.AppendLine(
                CultureInfo.InvariantCulture,
                $"| {p.Step} | {p.Flops:0.00e0} | {p.PassAt1:P1} | {p.Low:P1} – {p.High:P1} |"
            );
        }
        md.AppendLine();
    }
}
