using Ponder.TestTime;

namespace Ponder.Plots;

/// <summary><c>scale.png</c>: accuracy against test-time FLOPs per problem (log x), one curve per strategy — each
/// strategy's compute frontier (<see cref="ScalingReport.Frontier"/>).</summary>
public static class ScalingPlot
{
    public const string FileName = "scale.png";

    /// <summary>Writes <c>scale.png</c> into <paramref name="dir"/> and returns its path.</summary>
    public static string Write(string dir, ScalingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string png = Path.Combine(dir, FileName);
        var curves = Strategies
            .All.Select(s => (Strategies.Name(s), ScalingReport.Frontier(result.Points.Where(p => p.Strategy == s))))
            .Where(c => c.Item2.Count > 0)
            .ToArray();
        LinePlot.Save(
            png,
            $"{result.Task}: accuracy against test-time compute",
            "forward FLOPs per problem (log)",
            "accuracy",
            curves,
            logX: true
        );
        return png;
    }
}
