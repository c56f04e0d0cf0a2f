namespace Ponder.Evaluation;

/// <summary>
/// The 95 % interval of a held-out accuracy. Problems are the unit: samples of one problem are not independent (an
/// easy problem is right in most of its samples), so a binomial interval over all samples would be too narrow. Each
/// problem contributes its mean correctness, and the interval is the normal one on the mean of those P values:
/// mean ± 1.96 · s / √P, s their sample standard deviation, clipped to [0, 1]. Normal rather than Wilson because the
/// per-problem means are not counts of independent trials; the normal approximation holds for the P of a held-out set
/// (tens to hundreds of problems). When every problem has the same mean (all 0 or all 1), s = 0 and the interval is a
/// point: more problems, not more samples, are then what would widen it.
/// </summary>
public static class ConfidenceInterval
{
    /// <summary>z of a two-sided 95 % normal interval.</summary>
    public const double Z95 = 1.959964;

    /// <summary>The 95 % interval of the mean of <paramref name="perProblem"/> (each problem's mean correctness). A
    /// single problem has no spread to measure: its interval is [0, 1].</summary>
    public static (double Low, double High) OfMean(IReadOnlyList<double> perProblem)
    {
        ArgumentNullException.ThrowIfNull(perProblem);
        if (perProblem.Count == 0)
            throw new ArgumentException("an interval needs at least one problem.", nameof(perProblem));
        if (perProblem.Count == 1)
            return (0, 1);
        double mean = perProblem.Average();
        double variance = perProblem.Sum(x => (x - mean) * (x - mean)) / (perProblem.Count - 1);
        double half = Z95 * Math.Sqrt(variance / perProblem.Count);
        return (Math.Max(0, mean - half), Math.Min(1, mean + half));
    }

    /// <summary>The interval of pass@1 over graded samples: their per-problem mean correctness, then
    /// <see cref="OfMean"/>.</summary>
    public static (double Low, double High) OfPassAt1(IEnumerable<(string ProblemId, bool Correct)> samples) =>
        OfMean(samples.GroupBy(s => s.ProblemId).Select(g => g.Average(s => s.Correct ? 1.0 : 0.0)).ToList());
}
