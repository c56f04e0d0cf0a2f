using Ponder.Evaluation;

namespace Ponder.TestTime;

/// <summary>DeepConf's settings (Fu et al. 2025). Immutable; <see cref="Validate"/> says what to change.</summary>
/// <param name="TopK">Tokens the token confidence averages over (the paper's k). <value>The default value is
/// 5.</value></param>
/// <param name="Window">Tokens in a group (the sliding window whose mean confidence is watched). The paper uses 2,048
/// on traces of many thousand tokens; this suits traces of a few hundred. <value>The default value is
/// 16.</value></param>
/// <param name="Keep">Share η of warm-up traces above the bar (set at their lowest group confidences' 1 − η
/// percentile): DeepConf-high keeps most, DeepConf-low few. <value>The default value is 0.9.</value></param>
/// <param name="Consensus">Stop sampling once the leading answer holds this share of the vote weight (τ). <value>The
/// default value is 0.95.</value></param>
/// <param name="WarmupShare">Share of the N traces drawn in full before the bar is set (at least 2). <value>The
/// default value is 0.25.</value></param>
public sealed record DeepConfOptions(
    int TopK = 5,
    int Window = 16,
    double Keep = 0.9,
    double Consensus = 0.95,
    double WarmupShare = 0.25
)
{
    public DeepConfOptions Validate()
    {
        if (TopK < 1 || TopK > Generation.ModelLogprobs.MaxTop)
            throw new PonderException($"DeepConf top-k {TopK}: use 1 to {Generation.ModelLogprobs.MaxTop}.");
        if (Window < 1)
            throw new PonderException($"DeepConf window {Window}: must be at least 1 token.");
        if (!(Keep > 0 && Keep <= 1) || !(Consensus > 0 && Consensus <= 1) || !(WarmupShare > 0 && WarmupShare <= 1))
            throw new PonderException("DeepConf keep, consensus and warm-up share must each be in (0, 1].");
        return this;
    }

    /// <summary>Traces drawn in full before the bar is set, of <paramref name="n"/>.</summary>
    public int Warmup(int n) => Math.Min(n, Math.Max(2, (int)Math.Ceiling(n * WarmupShare)));
}

/// <summary>One trace for DeepConf: the graded sample, its token confidences and its prompt length.</summary>
public sealed record ConfidentTrace(GradedSample Sample, IReadOnlyList<float> Confidence, int PromptTokens);

/// <summary>What online DeepConf chose on one problem and what it spent.</summary>
/// <param name="Tokens">Tokens generated: warm-up traces in full, later traces up to where they were stopped, none
/// of the traces a consensus made unnecessary.</param>
/// <param name="Traces">Traces started.</param>
public sealed record DeepConfOutcome(GradedSample? Choice, double Tokens, IReadOnlyList<int> Generated, int Traces);

/// <summary>
/// DeepConf online (Fu et al. 2025, "Deep Think with Confidence"): draw a few traces in full, set a bar at a
/// percentile of their lowest group confidence, then draw the rest one by one, stopping a trace as soon as a group's
/// mean confidence falls below the bar (the trace is dropped) and stopping sampling once the confidence-weighted
/// vote reaches a consensus. The answer is the vote of the kept traces, each weighing its lowest group confidence.
/// <para>Deviation: traces here are sampled in full and the online run is replayed over them in order. A trace's
/// tokens do not depend on when it would have been stopped, so the choice is the online algorithm's; the tokens
/// counted are those it would have generated (up to each stop, none after the consensus).</para>
/// </summary>
public static class DeepConf
{
    /// <summary>The lowest mean confidence over any <paramref name="window"/> consecutive tokens (the whole trace's
    /// mean when shorter; 0 for no token).</summary>
    public static double LowestGroup(IReadOnlyList<float> confidence, int window)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        if (confidence.Count == 0)
            return 0;
        if (confidence.Count <= window)
            return confidence.Average();
        double sum = confidence.Take(window).Sum(c => (double)c),
            lowest = sum;
        for (int i = window; i < confidence.Count; i++)
        {
            sum += confidence[i] - confidence[i - window];
            lowest = Math.Min(lowest, sum);
        }
        return lowest / window;
    }

    /// <summary>The index of the token at which a full group's mean confidence first falls below
    /// <paramref name="bar"/> (the trace stops there), or null when it never does.</summary>
    public static int? StopAt(IReadOnlyList<float> confidence, int window, double bar)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        double sum = 0;
        for (int i = 0; i < confidence.Count; i++)
        {
            sum += confidence[i];
            if (i >= window)
                sum -= confidence[i - window];
            if (i >= window - 1 && sum / window < bar)
                return i;
        }
        return null;
    }

    /// <summary>Online DeepConf over <paramref name="traces"/> (drawn in this order, N of them at most).</summary>
    public static DeepConfOutcome Online(IReadOnlyList<ConfidentTrace> traces, DeepConfOptions options)
    {
        ArgumentNullException.ThrowIfNull(traces);
        options.Validate();
        if (traces.Count == 0)
            return new DeepConfOutcome(null, 0, [], 0);
        int warm = options.Warmup(traces.Count);
        var generated = new List<int>();
        var votes = new List<GradedSample>();
        var lows = traces.Take(warm).Select(t => LowestGroup(t.Confidence, options.Window)).ToArray();
        double bar = Percentile(lows, 1 - options.Keep);
        for (int i = 0; i < warm; i++)
        {
            generated.Add(traces[i].Confidence.Count);
            if (lows[i] >= bar)
                votes.Add(traces[i].Sample with { Score = lows[i] });
        }
        for (int i = warm; i < traces.Count && !Agreed(votes, options.Consensus); i++)
        {
            var t = traces[i];
            int? stop = StopAt(t.Confidence, options.Window, bar);
            generated.Add(stop is int s ? s + 1 : t.Confidence.Count);
            double lowest = LowestGroup(t.Confidence, options.Window);
            if (stop is null && lowest >= bar) // a trace shorter than a group never stops, but is filtered as warm-up
                votes.Add(t.Sample with { Score = lowest });
        }
        return new DeepConfOutcome(Metrics.WeightedVote(votes), generated.Sum(), generated, generated.Count);
    }

    /// <summary>Whether the leading answer holds at least <paramref name="consensus"/> of the vote weight.</summary>
    static bool Agreed(List<GradedSample> votes, double consensus)
    {
        var weights = votes
            .Where(v => v.Canonical is not null)
            .GroupBy(v => v.Canonical, StringComparer.Ordinal)
            .Select(g => g.Sum(v => v.Score ?? 0))
            .ToArray();
        double total = weights.Sum();
        return total > 0 && weights.Max() / total >= consensus;
    }

    /// <summary>The value below which a share <paramref name="q"/> of <paramref name="values"/> lies (linear
    /// interpolation between order statistics, numpy's default).</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        double at = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(at),
            hi = (int)Math.Ceiling(at);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
    }
}
