using ScottPlot;
using ScottPlot.TickGenerators;

namespace Ponder.Plots;

/// <summary>Line charts as PNG files (ScottPlot, headless): training loss, held-out accuracy over steps, accuracy
/// against compute.</summary>
public static class LinePlot
{
    /// <summary>Writes one PNG with a line and markers per series and a legend when there is more than one series.
    /// Points with a non-finite y (a diverged loss) are left out.</summary>
    /// <param name="axes">How the axes read. <value>The default value is <see cref="AxisStyle.Plain"/>.</value></param>
    /// <param name="width">Image width in pixels. The default is 800.</param>
    /// <param name="height">Image height in pixels. The default is 500.</param>
    /// <exception cref="PonderException">No points at all, or a non-positive x on a log axis.</exception>
    public static void Save(
        string path,
        string title,
        string xLabel,
        string yLabel,
        IEnumerable<(string Label, IReadOnlyList<(double X, double Y)> Points)> series,
        AxisStyle? axes = null,
        int width = 800,
        int height = 500
    )
    {
        using var plot = Create(path, title, xLabel, yLabel, series, axes ?? AxisStyle.Plain);
        SavePng(plot, path, width, height);
    }

    /// <summary>Writes a chart built by <see cref="Create"/>, creating its folder.</summary>
    internal static void SavePng(Plot plot, string path, int width = 800, int height = 500)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        plot.SavePng(path, width, height);
    }

    /// <summary>The chart <see cref="Save"/> draws, not yet rendered (tests read its axes); the caller disposes
    /// it.</summary>
    /// <param name="source">Names the chart in error messages (its file).</param>
    internal static Plot Create(
        string source,
        string title,
        string xLabel,
        string yLabel,
        IEnumerable<(string Label, IReadOnlyList<(double X, double Y)> Points)> series,
        AxisStyle axes
    )
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(axes);
        var all = series
            .Select(s =>
                (
                    s.Label,
                    Points: (IReadOnlyList<(double X, double Y)>)s.Points.Where(p => double.IsFinite(p.Y)).ToList()
                )
            )
            .Where(s => s.Points.Count > 0)
            .ToList();
        if (all.Count == 0)
            throw new PonderException($"{source}: nothing to plot (every series is empty).");
        var plot = new Plot();
        foreach (var (label, points) in all)
            AddSeries(plot, source, label, points, axes.LogX);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (all.Count > 1)
            plot.ShowLegend(Alignment.LowerRight);
        else
            plot.HideLegend(); // the title and y label name a single series
        SetAxes(plot, axes);
        return plot;
    }

    /// <summary>Fixes the limits and tick generators <paramref name="axes"/> asks for. The limits are set here, not at
    /// rendering, so the chart can be inspected as it will be drawn.</summary>
    static void SetAxes(Plot plot, AxisStyle axes)
    {
        plot.Axes.AutoScale();
        if (axes.Fraction)
            plot.Axes.SetLimitsY(0, 1);
        if (axes.IntegerX)
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        if (axes.LogX)
        {
            var limits = plot.Axes.GetLimits();
            plot.Axes.Bottom.TickGenerator = LogTicks.For(limits.Left, limits.Right);
        }
    }

    /// <summary>One series as a line with markers (no markers past 50 points, where they would merge).</summary>
    static void AddSeries(Plot plot, string path, string label, IReadOnlyList<(double X, double Y)> points, bool logX)
    {
        if (logX && points.Any(p => !(p.X > 0)))
        {
            throw new PonderException(
                $"{path}: series \"{label}\" has x = {points.First(p => !(p.X > 0)).X}, which a log axis "
                    + "cannot show."
            );
        }

        double[] xs = points.Select(p => logX ? Math.Log10(p.X) : p.X).ToArray();
        double[] ys = points.Select(p => p.Y).ToArray();
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = label;
        line.MarkerSize = points.Count > 50 ? 0 : 5;
    }
}
