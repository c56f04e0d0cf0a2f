using ScottPlot;
using ScottPlot.Plottables;

namespace Ponder.Plots;

/// <summary>One held-out evaluation of a training run: its step, the training FLOPs spent by then (earlier stages
/// included), pass@1 and the bounds of its 95 % interval.</summary>
public sealed record TrainPoint(int Step, double Flops, double PassAt1, double Low, double High);

/// <summary>
/// o1's train-time figure for one run (<c>train_scaling.png</c>): held-out pass@1 against cumulative training FLOPs on
/// a log x axis, a line with markers over a shaded band of its 95 % interval, so a rise can be told from noise.
/// </summary>
public static class TrainScalingPlot
{
    public const string FileName = "train_scaling.png";

    /// <summary>Writes <c>train_scaling.png</c> into <paramref name="dir"/> and returns its path; null when fewer than
    /// two points have positive FLOPs (a log axis has nothing to span).</summary>
    public static string? Write(string dir, IReadOnlyList<TrainPoint> points)
    {
        using var plot = Create(points);
        if (plot is null)
            return null;
        string png = Path.Combine(dir, FileName);
        LinePlot.SavePng(plot, png);
        return png;
    }

    /// <summary>The chart <see cref="Write"/> draws, not yet rendered (tests read its band); null when fewer than two
    /// points have positive FLOPs. The caller disposes it.</summary>
    internal static Plot? Create(IReadOnlyList<TrainPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var shown = points.Where(p => p.Flops > 0 && double.IsFinite(p.PassAt1)).OrderBy(p => p.Flops).ToList();
        if (shown.Count < 2)
            return null;
        var plot = LinePlot.Create(
            FileName,
            "Held-out pass@1 vs train-time compute",
            "training FLOPs, SFT included (log scale)",
            "pass@1 (band: 95 % interval)",
            [("pass@1", shown.Select(p => (p.Flops, p.PassAt1)).ToList())],
            new AxisStyle(LogX: true, Fraction: true)
        );
        var line = plot.GetPlottables<Scatter>().Single();
        var band = plot.Add.FillY(Band(shown));
        band.FillColor = line.Color.WithAlpha(0.25);
        band.LineWidth = 0;
        band.LegendText = "95 % interval";
        plot.MoveToBack(band); // under the line and its markers
        return plot;
    }

    /// <summary>The band's outline in the chart's coordinates: x as log10(FLOPs), as <see cref="LinePlot"/> draws its
    /// series, and the interval's bounds.</summary>
    internal static List<(double X, double Low, double High)> Band(IEnumerable<TrainPoint> points) =>
        points.Select(p => (Math.Log10(p.Flops), p.Low, p.High)).ToList();
}
