namespace Ponder.Evaluation;

/// <summary>
/// The evaluation metrics as pure functions over graded samples (see README "Metrics").
/// Per-problem functions take that problem's samples in order; voting and reranking work on the ⌊n/k⌋ disjoint
/// consecutive groups of k samples, so a problem with n samples contributes ⌊n/k⌋ independent trials.
/// </summary>
public static partial class Metrics
{
    /// <summary>Unbiased pass@k (Chen et al. 2021): 1 − C(n−c, k)/C(n, k), the chance that at least one of k samples
    /// drawn without replacement from n (c of them correct) is correct. Computed as the stable product
    /// 1 − Π_{i=n−c+1..n} (1 − k/i); it is 1 when n − c &lt; k (every k-subset holds a correct sample).</summary>
    public static double PassAtK(int n, int c, int k)
    {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n)
        {
            throw new ArgumentOutOfRangeException(
                nameof(k),
                $"pass@k needs 1 ≤ k ≤ n and 0 ≤ c ≤ n (n={n}, c={c}, k={k})."
            );
        }

        if (n - c < k)
            return 1.0;
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++)
            allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }

    /// <summary>Mean correctness of one problem's samples (pass@1 = c/n).</summary>
    public static double MeanCorrect(IReadOnlyList<GradedSample> samples) =>
        samples.Count == 0 ? 0 : (double)samples.Count(s => s.Correct) / samples.Count;

    /// <summary>cons@k of one problem: the mean over its ⌊n/k⌋ groups of whether the majority answer is
    /// correct.</summary>
    public static double ConsAtK(IReadOnlyList<GradedSample> samples, int k) =>
        OverGroups(samples, k, g => MajorityVote(g)?.Correct ?? false);

    /// <summary>rerank@k of one problem: the mean over its groups of whether the highest-scored sample is
    /// correct.</summary>
    public static double RerankAtK(IReadOnlyList<GradedSample> samples, int k) =>
        OverGroups(samples, k, g => Rerank(g).Correct);

    /// <summary>weighted@k of one problem: the mean over its groups of whether the answer with the largest score sum is
    /// correct.</summary>
    public static double WeightedAtK(IReadOnlyList<GradedSample> samples, int k) =>
        OverGroups(samples, k, g => WeightedVote(g)?.Correct ?? false);

    /// <summary>Majority vote: the first sample of the canonical answer held by the most samples. Ties go to the answer
    /// seen first in the group; samples without an answer (null) never win; null when no sample has an
    /// answer.</summary>
    public static GradedSample? MajorityVote(IReadOnlyList<GradedSample> group) => Vote(group, _ => 1.0);

    /// <summary>Weighted majority: like <see cref="MajorityVote"/> but each sample counts its score (a missing score
    /// counts 0); the largest sum wins, ties go to the answer seen first.</summary>
    public static GradedSample? WeightedVote(IReadOnlyList<GradedSample> group) => Vote(group, s => s.Score ?? 0);

    /// <summary>Best-of-k: the sample with the highest score; ties (and missing scores, which rank lowest) go to the
    /// first.</summary>
    public static GradedSample Rerank(IReadOnlyList<GradedSample> group)
    {
        if (group.Count == 0)
            throw new ArgumentException("A rerank group needs at least one sample.", nameof(group));
        var best = group[0];
        foreach (var s in group)
        {
            if ((s.Score ?? double.NegativeInfinity) > (best.Score ?? double.NegativeInfinity))
                best = s;
        }
        return best;
    }

    /// <summary>The k values to report by default: 1 and every power of 2 up to <paramref name="n"/>.</summary>
    public static IReadOnlyList<int> DefaultKs(int n)
    {
        var ks = new List<int>();
        for (int k = 1; k <= Math.Max(n, 1); k *= 2)
            ks.Add(k);
        return ks;
    }

    static GradedSample? Vote(IReadOnlyList<GradedSample> group, Func<GradedSample, double> weight)
    {
        // Answers in first-seen order, so that a strict ">" keeps the earliest answer on ties.
        var order = new List<string>();
        var totals = new Dictionary<string, (double Sum, GradedSample First)>(StringComparer.Ordinal);
        foreach (var s in group)
        {
            if (s.Canonical is not { } answer)
                continue;
            if (totals.TryGetValue(answer, out var t))
            {
                totals[answer] = (t.Sum + weight(s), t.First);
            }
            else
            {
                totals[answer] = (weight(s), s);
                order.Add(answer);
            }
        }
        GradedSample? winner = null;
        double bestSum = double.NegativeInfinity;
        foreach (var answer in order)
        {
            var (sum, first) = totals[answer];
            if (sum > bestSum)
            {
                bestSum = sum;
                winner = first;
            }
        }
        return winner;
    }

    static double OverGroups(
        IReadOnlyList<GradedSample> samples,
        int k,
        Func<IReadOnlyList<GradedSample>, bool> correct
    )
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), $"k must be ≥ 1 (got {k}).");
        int groups = samples.Count / k;
        if (groups == 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(k),
                $"k={k} is larger than the problem's {samples.Count} samples."
            );
        }

        int hits = 0;
        for (int g = 0; g < groups; g++)
        {
            var group = new GradedSample[k];
            for (int i = 0; i < k; i++)
                group[i] = samples[g * k + i];
            if (correct(group))
                hits++;
        }
        return (double)hits / groups;
    }
}
