using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Ponder.Plots;

/// <summary>Line charts as PNG files (ScottPlot, headless): training loss, held-out accuracy over steps, accuracy
/// against compute.</summary>
public static class LinePlot
{
    /// <summary>Writes one PNG with a line and markers per series and a legend when there is more than one series.
    /// Points with a non-finite y (a diverged loss) are left out.</summary>
    /// <param name="logX">Log-scale x axis (base 10), for compute axes; every x must then be positive. The default is
    /// false.</param>
    /// <param name="width">Image width in pixels. The default is 800.</param>
    /// <param name="height">Image height in pixels. The default is 500.</param>
    /// <exception cref="PonderException">No points at all, or a non-positive x on a log axis.</exception>
    public static void Save(
        string path,
        string title,
        string xLabel,
        string yLabel,
        IEnumerable<(string Label, IReadOnlyList<(double X, double Y)> Points)> series,
        bool logX = false,
        int width = 800,
        int height = 500
    )
    {
        ArgumentNullException.ThrowIfNull(series);
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
            throw new PonderException($"{path}: nothing to plot (every series is empty).");
        using var plot = new Plot();
        foreach (var (label, points) in all)
            AddSeries(plot, path, label, points, logX);
        if (logX)
            UsePowersOfTen(plot.Axes.Bottom);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (all.Count > 1)
            plot.ShowLegend(Alignment.LowerRight);
        else
            plot.HideLegend(); // the title and y label name a single series
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        plot.SavePng(path, width, height);
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

    /// <summary>ScottPlot has no log axis: the series are plotted at log10(x) and the ticks labelled with
    /// 10^tick.</summary>
    static void UsePowersOfTen(IAxis axis) =>
        axis.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => FormatPower(Math.Pow(10, v)),
        };

    static string FormatPower(double v) =>
        v is >= 1e-3 and < 1e5
            ? v.ToString("G4", CultureInfo.InvariantCulture)
            : v.ToString("0.#e0", CultureInfo.InvariantCulture);
}
