using Ponder.TestTime;
using ScottPlot;
using ScottPlot.Plottables;

namespace Ponder.Plots;

/// <summary><c>scale.png</c>: accuracy against test-time FLOPs per problem (log x), one curve per strategy — each
/// strategy's compute frontier (<see cref="ScalingReport.Frontier"/>).</summary>
public static class ScalingPlot
{
    public const string FileName = "scale.png";

    /// <summary>Writes <c>scale.png</c> into <paramref name="dir"/> and returns its path.</summary>
    public static string Write(string dir, ScalingResult result)
    {
        string png = Path.Combine(dir, FileName);
        using var plot = Create(result);
        LinePlot.SavePng(plot, png);
        return png;
    }

    /// <summary>The chart <see cref="Write"/> draws, not yet rendered; the caller disposes it. Accuracy spans 0 to
    /// 1. At one sample a vote is that sample, so the <c>single</c> curve coincides with <c>cons</c>: it is drawn last,
    /// dashed with larger open markers, to stay visible on top.</summary>
    internal static Plot Create(ScalingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var curves = Strategies
            .Every.Where(s => result.Points.Any(p => p.Strategy == s))
            .OrderBy(s => s == Strategy.Single)
            .Select(s => (Strategies.Name(s), ScalingReport.Frontier(result.Points.Where(p => p.Strategy == s))))
            .Where(c => c.Item2.Count > 0)
            .ToArray();
        var plot = LinePlot.Create(
            FileName,
            $"{result.Task}: accuracy against test-time compute",
            "forward FLOPs per problem (log)",
            "accuracy",
            curves,
            new AxisStyle(LogX: true, Fraction: true)
        );
        string single = Strategies.Name(Strategy.Single);
        foreach (var line in plot.GetPlottables<Scatter>().Where(s => s.LegendText == single))
        {
            line.LinePattern = LinePattern.Dashed;
            line.MarkerShape = MarkerShape.OpenCircle;
            line.MarkerSize = 10;
        }
        return plot;
    }
}
