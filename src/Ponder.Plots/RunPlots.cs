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
        Plot(run, LossMetric, "loss.png", "Training loss", "loss", written);
        Plot(run, AccuracyMetric, "accuracy.png", "Held-out accuracy", "pass@1", written);
        return written;
    }

    static void Plot(RunStore run, string metric, string file, string title, string yLabel, List<string> written)
    {
        var points = run.ReadMetrics(metric);
        if (points.Count == 0)
            return;
        string path = Path.Combine(run.Dir, file);
        LinePlot.Save(
            path,
            $"{title} — {run.Name}",
            "step",
            yLabel,
            [(metric, points.Select(p => ((double)p.Step, p.Value)).ToList())]
        );
        written.Add(path);
    }
}
