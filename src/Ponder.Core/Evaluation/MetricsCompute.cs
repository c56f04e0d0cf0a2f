namespace Ponder.Evaluation;

public static partial class Metrics
{
    /// <summary>
    /// Every metric over a dataset of graded samples. Samples are grouped by <see cref="GradedSample.ProblemId"/> and
    /// kept in list order within a problem. Each problem uses its own n (a warning says so when n differs); a problem
    /// with fewer than k samples is left out of that k's means (with a warning); rerank@k and weighted@k are computed
    /// only when every sample has a score.
    /// </summary>
    /// <exception cref="PonderException">No samples, k &lt; 1, or a k larger than every problem's n.</exception>
    public static MetricsReport Compute(IReadOnlyList<GradedSample> samples, IReadOnlyList<int> ks)
    {
        if (samples.Count == 0)
            throw new PonderException("There are no samples to score.");
        var problems = GroupByProblem(samples);
        var warnings = new List<string>();
        int minN = problems.Min(p => p.Count),
            maxN = problems.Max(p => p.Count);
        if (minN != maxN)
        {
            warnings.Add(
                $"problems have different sample counts (n from {minN} to {maxN}); metrics use each problem's own n"
            );
        }

        int scored = samples.Count(s => s.Score is not null);
        bool hasScores = scored == samples.Count;
        if (scored > 0 && !hasScores)
        {
            warnings.Add(
                $"{scored} of {samples.Count} samples have a score; rerank@k and weighted@k need a score on "
                    + "every sample and are left out"
            );
        }

        double passAt1 = problems.Average(MeanCorrect);
        var perK = new List<MetricsAtK>();
        foreach (int k in ks)
        {
            if (k < 1)
                throw new PonderException($"--k {k} must be at least 1.");
            if (k > maxN)
            {
                throw new PonderException(
                    $"--k {k} is larger than --samples {maxN} (the most samples any problem has)."
                );
            }

            var eligible = problems.Where(p => p.Count >= k).ToList();
            if (eligible.Count < problems.Count)
            {
                warnings.Add(
                    $"k={k}: {problems.Count - eligible.Count} of {problems.Count} problems have fewer than "
                        + $"{k} samples and are left out of the @{k} metrics"
                );
            }

            perK.Add(
                new MetricsAtK(
                    k,
                    eligible.Average(p => PassAtK(p.Count, p.Count(s => s.Correct), k)),
                    eligible.Average(p => ConsAtK(p, k)),
                    hasScores ? eligible.Average(p => RerankAtK(p, k)) : null,
                    hasScores ? eligible.Average(p => WeightedAtK(p, k)) : null,
                    eligible.Count
                )
            );
        }
        return new MetricsReport(passAt1, perK, problems.Count, samples.Count, warnings);
    }

    /// <summary>Samples grouped by problem: problems in first-seen order, samples in list order.</summary>
    public static IReadOnlyList<IReadOnlyList<GradedSample>> GroupByProblem(IEnumerable<GradedSample> samples)
    {
        var byId = new Dictionary<string, List<GradedSample>>(StringComparer.Ordinal);
        var order = new List<List<GradedSample>>();
        foreach (var s in samples)
        {
            if (!byId.TryGetValue(s.ProblemId, out var list))
            {
                byId[s.ProblemId] = list = [];
                order.Add(list);
            }
            list.Add(s);
        }
        return order;
    }
}
