namespace Ponder.Evaluation;

/// <summary>The metrics of one k. Rerank and weighted are null when the samples carry no scores.</summary>
/// <param name="K">The number of samples per trial.</param>
/// <param name="Problems">Problems with at least k samples, the ones these means are over.</param>
public sealed record MetricsAtK(
    int K,
    double PassAtK,
    double ConsAtK,
    double? RerankAtK,
    double? WeightedAtK,
    int Problems
);

/// <summary>What <see cref="Metrics.Compute"/> found for a set of graded samples.</summary>
/// <param name="PassAt1">Mean correctness over each problem's samples, then over problems.</param>
/// <param name="PerK">One entry per requested k that at least one problem has samples for, in the order asked.</param>
/// <param name="Warnings">Things a reader must know to trust the numbers (uneven n, problems left out of a k).</param>
public sealed record MetricsReport(
    double PassAt1,
    IReadOnlyList<MetricsAtK> PerK,
    int Problems,
    int Samples,
    IReadOnlyList<string> Warnings
)
{
    /// <summary>Whether rerank@k and weighted@k were computed (every sample has a score).</summary>
    public bool HasScores => PerK.Any(m => m.RerankAtK is not null);

    /// <summary>The metrics by name, in report order: <c>pass@1</c>, then <c>pass@k</c>, <c>cons@k</c>, <c>rerank@k</c>
    /// and <c>weighted@k</c> for each k (the last two only with scores).</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Named()
    {
        var named = new List<KeyValuePair<string, double>> { new("pass@1", PassAt1) };
        foreach (var m in PerK)
        {
            if (m.K != 1)
                named.Add(new($"pass@{m.K}", m.PassAtK));
            named.Add(new($"cons@{m.K}", m.ConsAtK));
            if (m.RerankAtK is double r)
                named.Add(new($"rerank@{m.K}", r));
            if (m.WeightedAtK is double w)
                named.Add(new($"weighted@{m.K}", w));
        }
        return named;
    }
}
