using System.Globalization;
using ScottPlot.TickGenerators;

namespace Ponder.Plots;

/// <summary>
/// Ticks of a log10 axis. ScottPlot has none: series are drawn at log10(x), and ticks are placed at the logs of round
/// values and labelled with the values. Powers of ten alone leave a range within one decade (a small sweep's compute)
/// with no label at all, so finer steps are used until at least <see cref="MinLabels"/> labels fall in the range. A
/// range narrower than a decade (a train-time axis that starts at SFT's compute and adds RL's) gets evenly stepped
/// round values instead (2.6e13, 2.8e13, …): multiples of a power of ten alone bunch at one end of it.
/// </summary>
static class LogTicks
{
    const int MinLabels = 3,
        MaxLabels = 10;

    /// <summary>Multiples of each power of ten to label, coarsest first; the last also places the minor
    /// ticks.</summary>
    static readonly double[][] Multiples =
    [
        [1],
        [1, 2, 5],
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
    ];

    /// <summary>Labelled ticks over [<paramref name="min"/>, <paramref name="max"/>] in log10 units.</summary>
    public static NumericManual For(double min, double max)
    {
        if (double.IsFinite(min) && double.IsFinite(max) && max - min < 1 && max > min)
            return Linear(min, max);
        var major =
            Multiples.Select(m => Positions(min, max, m)).FirstOrDefault(p => p.Count >= MinLabels)
            ?? Positions(min, max, Multiples[^1]);
        // Many decades: every k-th power of ten, so labels do not overlap.
        int stride = (major.Count + MaxLabels - 1) / MaxLabels;
        major = major.Where((_, i) => i % Math.Max(1, stride) == 0).ToList();
        var ticks = new NumericManual();
        foreach (double p in major)
            ticks.AddMajor(p, Label(Math.Pow(10, p)));
        foreach (double p in Positions(min, max, Multiples[^1]).Except(major))
            ticks.AddMinor(p);
        return ticks;
    }

    /// <summary>Round values a 1, 2 or 5 step apart (four to eight intervals over the range) at their logs; the labels
    /// carry the digits the step needs.</summary>
    static NumericManual Linear(double min, double max)
    {
        double lo = Math.Pow(10, min),
            hi = Math.Pow(10, max);
        double raw = (hi - lo) / 8,
            magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step =
            magnitude
            * (raw / magnitude) switch
            {
                <= 1 => 1,
                <= 2 => 2,
                <= 5 => 5,
                _ => 10,
            };
        var ticks = new NumericManual();
        for (double k = Math.Ceiling(lo / step); k * step <= hi; k++)
            ticks.AddMajor(Math.Log10(k * step), Label(k * step, step));
        return ticks;
    }

    static List<double> Positions(double min, double max, double[] multiples)
    {
        var positions = new List<double>();
        if (!double.IsFinite(min) || !double.IsFinite(max))
            return positions;
        for (int k = (int)Math.Floor(min); k <= (int)Math.Ceiling(max); k++)
        {
            foreach (double m in multiples)
            {
                double p = k + Math.Log10(m);
                if (p >= min && p <= max)
                    positions.Add(p);
            }
        }
        return positions;
    }

    /// <summary>Plain numbers near 1, e.g. 0.5 or 200; powers of ten far from it, e.g. 2e6.</summary>
    internal static string Label(double v) =>
        v is >= 1e-3 and < 1e5
            ? v.ToString("G4", CultureInfo.InvariantCulture)
            : v.ToString("0.#e0", CultureInfo.InvariantCulture);

    /// <summary>As <see cref="Label(double)"/>, with the significant digits that tell values
    /// <paramref name="step"/> apart (2.65e13 next to 2.7e13).</summary>
    internal static string Label(double v, double step)
    {
        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step)));
        if (v is >= 1e-3 and < 1e5)
            return Math.Round(v, decimals).ToString(CultureInfo.InvariantCulture);
        int digits = Math.Max(1, (int)Math.Floor(Math.Log10(v)) - (int)Math.Floor(Math.Log10(step)));
        return v.ToString("0." + new string('#', digits) + "e0", CultureInfo.InvariantCulture);
    }
}
