namespace Ponder.Scoring;

/// <summary>One bin of a reliability table: predictions in [Low, High), how many, their mean, and the observed
/// rate.</summary>
public sealed record ReliabilityBin(double Low, double High, int Count, double MeanPredicted, double Observed);

/// <summary>How well scores rank and how well they are calibrated, as a scorer reports them.</summary>
/// <param name="Auc">Area under the ROC curve; null when only one class is present.</param>
/// <param name="Brier">Mean squared error of the probability against the 0/1 label.</param>
/// <param name="Ece">Expected calibration error over the bins: Σ (count/total) · |mean predicted − observed|.</param>
public sealed record CalibrationReport(
    double? Auc,
    double Brier,
    double Ece,
    int Positives,
    int Negatives,
    IReadOnlyList<ReliabilityBin> Bins
)
{
    /// <summary>AUC over pairs of samples of the same problem (<see cref="Calibration.WithinGroupAuc"/>); null when not
    /// computed or no problem has both labels.</summary>
    public double? WithinProblemAuc { get; init; }
}

/// <summary>Ranking and calibration measures over (probability, label) pairs; pure functions.</summary>
public static class Calibration
{
    /// <summary>
    /// Exact AUC by the rank (Mann–Whitney U) formula: the chance that a random positive scores above a random
    /// negative, ties counting ½. With average ranks R over all scores, AUC = (Σ_{positives} R − P(P+1)/2) / (P·N).
    /// Null when there are no positives or no negatives (the AUC is undefined).
    /// </summary>
    public static double? Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        Check(scores, labels);
        int n = scores.Count,
            positives = labels.Count(l => l),
            negatives = n - positives;
        if (positives == 0 || negatives == 0)
            return null;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        int i = 0;
        while (i < n)
        {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
                j++;
            double averageRank = (i + j) / 2.0 + 1; // ranks are 1-based; a run of ties shares the mean rank
            for (int k = i; k <= j; k++)
            {
                if (labels[order[k]])
                    rankSum += averageRank;
            }

            i = j + 1;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// AUC within groups: over every (correct, incorrect) pair of samples of the SAME problem, the chance that the
    /// correct one scores higher (ties ½). This is what re-ranking needs; the plain AUC also rewards telling easy
    /// problems from hard ones. Null when no group has both labels.
    /// </summary>
    public static double? WithinGroupAuc(
        IReadOnlyList<double> scores,
        IReadOnlyList<bool> labels,
        IReadOnlyList<string> groups
    )
    {
        Check(scores, labels);
        if (groups.Count != scores.Count)
            throw new ArgumentException($"{groups.Count} groups for {scores.Count} scores.", nameof(groups));
        double wins = 0;
        long pairs = 0;
        foreach (var g in Enumerable.Range(0, scores.Count).GroupBy(i => groups[i], StringComparer.Ordinal))
        {
            var pos = g.Where(i => labels[i]).Select(i => scores[i]).ToArray();
            var neg = g.Where(i => !labels[i]).Select(i => scores[i]).ToArray();
            foreach (double p in pos)
            {
                foreach (double q in neg)
                {
                    wins +=
                        p > q ? 1
                        : p == q ? 0.5
                        : 0;
                }
            }

            pairs += (long)pos.Length * neg.Length;
        }
        return pairs == 0 ? null : wins / pairs;
    }

    /// <summary>Mean of (p − y)² with y ∈ {0, 1}: 0 is perfect, 0.25 is a constant ½.</summary>
    public static double Brier(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels)
    {
        Check(probabilities, labels);
        if (probabilities.Count == 0)
            return 0;
        return probabilities.Select((p, i) => (p - (labels[i] ? 1 : 0)) * (p - (labels[i] ? 1 : 0))).Average();
    }

    /// <summary>Equal-width bins over [0, 1] (the last bin includes 1); empty bins are kept with a count of
    /// 0.</summary>
    /// <param name="bins">Number of bins. The default value is 10.</param>
    public static IReadOnlyList<ReliabilityBin> Reliability(
        IReadOnlyList<double> probabilities,
        IReadOnlyList<bool> labels,
        int bins = 10
    )
    {
        Check(probabilities, labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var sums = new double[bins];
        var hits = new int[bins];
        var counts = new int[bins];
        for (int i = 0; i < probabilities.Count; i++)
        {
            int b = Math.Clamp((int)(probabilities[i] * bins), 0, bins - 1);
            counts[b]++;
            sums[b] += probabilities[i];
            if (labels[i])
                hits[b]++;
        }
        return Enumerable
            .Range(0, bins)
            .Select(b => new ReliabilityBin(
                (double)b / bins,
                (double)(b + 1) / bins,
                counts[b],
                counts[b] == 0 ? 0 : sums[b] / counts[b],
                counts[b] == 0 ? 0 : (double)hits[b] / counts[b]
            ))
            .ToArray();
    }

    /// <summary>Expected calibration error of a reliability table.</summary>
    public static double Ece(IReadOnlyList<ReliabilityBin> bins)
    {
        int total = bins.Sum(b => b.Count);
        return total == 0 ? 0 : bins.Sum(b => (double)b.Count / total * Math.Abs(b.MeanPredicted - b.Observed));
    }

    /// <summary>AUC, Brier score, and a 10-bin reliability table with its ECE.</summary>
    public static CalibrationReport Report(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels)
    {
        var bins = Reliability(probabilities, labels);
        int positives = labels.Count(l => l);
        return new CalibrationReport(
            Auc(probabilities, labels),
            Brier(probabilities, labels),
            Ece(bins),
            positives,
            labels.Count - positives,
            bins
        );
    }

    static void Check(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count)
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels.", nameof(labels));
    }
}
