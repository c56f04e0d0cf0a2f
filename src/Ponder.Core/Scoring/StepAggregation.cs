namespace Ponder.Scoring;

/// <summary>How a process scorer's step scores make one solution score (Lightman et al. 2023; search-and-learn's
/// <c>agg_strategy</c>).</summary>
public enum StepAggregation
{
    /// <summary>The last step's score: with Monte-Carlo labels, the estimated chance the whole solution is
    /// right.</summary>
    Last,

    /// <summary>The weakest step: one wrong step sinks a solution.</summary>
    Min,

    /// <summary>The product: the chance every step is right, were the steps independent.</summary>
    Product,
}

/// <summary>Names and the rule of <see cref="StepAggregation"/>.</summary>
public static class StepAggregations
{
    public static string Name(StepAggregation a) =>
        a switch
        {
            StepAggregation.Last => "last",
            StepAggregation.Min => "min",
            StepAggregation.Product => "prod",
            _ => throw new ArgumentOutOfRangeException(nameof(a), a, "unknown aggregation"),
        };

    public static StepAggregation Parse(string text) =>
        text switch
        {
            "last" => StepAggregation.Last,
            "min" => StepAggregation.Min,
            "prod" or "product" => StepAggregation.Product,
            _ => throw new PonderException($"--aggregate {text}: use last, min or prod."),
        };

    /// <summary>The solution score of <paramref name="steps"/> (each in [0, 1]); 0 for no step.</summary>
    public static double Apply(StepAggregation a, IReadOnlyList<double> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
            return 0;
        return a switch
        {
            StepAggregation.Last => steps[^1],
            StepAggregation.Min => steps.Min(),
            StepAggregation.Product => steps.Aggregate(1.0, (p, s) => p * s),
            _ => throw new ArgumentOutOfRangeException(nameof(a), a, "unknown aggregation"),
        };
    }
}
