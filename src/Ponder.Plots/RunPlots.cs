using Ponder.Runs;

namespace Ponder.Plots;

/// <summary>The standard charts of a run, written into its folder.</summary>
public static class RunPlots
{
    /// <summary>The metric drawn in <c>loss.png</c>.</summary>
    public const string LossMetric = "train/loss";

    /// <summary>The metric drawn in <c>accuracy.png</c>.</summary>
    public const string AccuracyMetric = "eval/pass@1";

    /// <summary>Writes <c>loss.png</c> (<see cref="LossMetric"/>) and <c>accuracy.png</c>
    /// (<see cref="AccuracyMetric"/>) into the run folder, each only when its metric was logged.</summary>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(RunStore run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var written = new List<string>();
        Plot(run, LossMetric, written);
        Plot(run, AccuracyMetric, written);
        return written;
    }

    static void Plot(RunStore run, string metric, List<string> written)
    {
        using var plot = Create(run, metric);
        if (plot is null)
            return;
        string path = Path.Combine(run.Dir, FileFor(metric));
        LinePlot.SavePng(plot, path);
        written.Add(path);
    }

    /// <summary>The chart of <paramref name="metric"/> (<see cref="LossMetric"/> or <see cref="AccuracyMetric"/>)
    /// over steps, not yet rendered; null when the metric was never logged. Steps are whole numbers, and an accuracy
    /// axis spans 0 to 1.</summary>
    internal static ScottPlot.Plot? Create(RunStore run, string metric)
    {
        ArgumentNullException.ThrowIfNull(run);
        var points = run.ReadMetrics(metric);
        if (points.Count == 0)
            return null;
        bool accuracy = metric == AccuracyMetric;
        return LinePlot.Create(
            Path.Combine(run.Dir, FileFor(metric)),
            $"{(accuracy ? "Held-out accuracy" : "Training loss")} — {run.Name}",
            "step",
            accuracy ? "pass@1" : "loss",
            [(metric, points.Select(p => ((double)p.Step, p.Value)).ToList())],
            new AxisStyle(IntegerX: true, Fraction: accuracy)
        );
    }

    static string FileFor(string metric) => metric == AccuracyMetric ? "accuracy.png" : "loss.png";
}
