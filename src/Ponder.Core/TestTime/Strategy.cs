using Ponder.Evaluation;

namespace Ponder.TestTime;

/// <summary>How one answer is chosen from N graded candidates (the closed set <see cref="Strategies.Choose"/>
/// dispatches on).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1720",
    Justification = "Single means one sample here, not the float type."
)]
public enum Strategy
{
    /// <summary>The first candidate, as drawn (pass@1 when averaged over samples).</summary>
    Single,

    /// <summary>Majority vote over the grader's canonical answers (cons@N, self-consistency).</summary>
    Majority,

    /// <summary>The candidate with the highest scorer score (rerank@N, best-of-N).</summary>
    BestOfN,

    /// <summary>The canonical answer with the largest sum of scorer scores (weighted@N).</summary>
    WeightedMajority,

    /// <summary>DeepConf online: confidence-filtered, confidence-weighted voting with early stops
    /// (<see cref="TestTime.DeepConf"/>).</summary>
    DeepConf,

    /// <summary>PRM-guided beam search (<see cref="TreeSearch"/>).</summary>
    Beam,

    /// <summary>Diverse verifier tree search (<see cref="TreeSearch"/>).</summary>
    Dvts,
}

/// <summary>
/// Test-time strategies as pure functions over graded candidates (<see cref="GradedSample"/>: canonical answer,
/// correct, score). The voting and ranking rules are <see cref="Metrics"/>'s, called here, so that a strategy and
/// its metric (cons@k, rerank@k, weighted@k) can never disagree:
/// <list type="bullet">
/// <item>an empty list → null (abstain) for every strategy;</item>
/// <item>ties go to the candidate / answer seen first;</item>
/// <item>a missing answer (null canonical) never wins a vote: when no candidate has an answer, the votes abstain
/// (null);</item>
/// <item>Single and BestOfN return a candidate even if it has no answer (it then counts as wrong);</item>
/// <item>a missing score ranks lowest in BestOfN and weighs 0 in WeightedMajority.</item>
/// </list>
/// </summary>
public static class Strategies
{
    /// <summary>Every strategy, in report order.</summary>
    public static IReadOnlyList<Strategy> All { get; } =
    [Strategy.Single, Strategy.Majority, Strategy.BestOfN, Strategy.WeightedMajority];

    /// <summary>Every strategy, in report order: the choices over a pool of samples, DeepConf, then the
    /// searches.</summary>
    public static IReadOnlyList<Strategy> Every { get; } = [.. All, Strategy.DeepConf, Strategy.Beam, Strategy.Dvts];

    /// <summary>Beam and DVTS grow their own trees with a process scorer instead of choosing among samples.</summary>
    public static bool Searches(Strategy strategy) => strategy is Strategy.Beam or Strategy.Dvts;

    /// <summary>A strategy from its <c>--strategies</c> name (or its metric name).</summary>
    public static Strategy Parse(string name) =>
        name switch
        {
            "single" => Strategy.Single,
            "majority" or "cons" => Strategy.Majority,
            "best-of-n" or "rerank" => Strategy.BestOfN,
            "weighted" => Strategy.WeightedMajority,
            "deepconf" => Strategy.DeepConf,
            "beam" => Strategy.Beam,
            "dvts" => Strategy.Dvts,
            _ => throw new PonderException(
                $"--strategies {name}: unknown strategy; use single, majority, best-of-n, weighted, deepconf, beam "
                    + "or dvts."
            ),
        };

    /// <summary>BestOfN and WeightedMajority read scorer scores; the others ignore them.</summary>
    public static bool NeedsScores(Strategy strategy) => strategy is Strategy.BestOfN or Strategy.WeightedMajority;

    /// <summary>The metric name the strategy reports as (pass@1, cons, rerank, weighted; the sample count follows
    /// "@").</summary>
    public static string Name(Strategy strategy) =>
        strategy switch
        {
            Strategy.Single => "single",
            Strategy.Majority => "cons",
            Strategy.BestOfN => "rerank",
            Strategy.WeightedMajority => "weighted",
            Strategy.DeepConf => "deepconf",
            Strategy.Beam => "beam",
            Strategy.Dvts => "dvts",
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown test-time strategy"),
        };

    /// <summary>The chosen candidate, or null when the strategy abstains (see the class comment for the
    /// rules).</summary>
    public static GradedSample? Choose(Strategy strategy, IReadOnlyList<GradedSample> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
            return null;
        return strategy switch
        {
            Strategy.Single => candidates[0],
            Strategy.Majority => Metrics.MajorityVote(candidates),
            Strategy.BestOfN => Metrics.Rerank(candidates),
            Strategy.WeightedMajority => Metrics.WeightedVote(candidates),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown test-time strategy"),
        };
    }

    /// <summary>Whether the strategy's choice is correct; an abstention counts as wrong.</summary>
    public static bool ChoosesCorrect(Strategy strategy, IReadOnlyList<GradedSample> candidates) =>
        Choose(strategy, candidates)?.Correct ?? false;
}
