namespace Ponder.Tasks.Graders;

/// <summary>How math answers are found in text and compared. The defaults are Math-Verify's (as its own tests call
/// it: LaTeX and plain extraction, boxes first, six decimal places, strict variables).</summary>
public sealed record MathGradingOptions
{
    /// <summary>Whether LaTeX is looked for: boxes, math spans, and a bare LaTeX answer.</summary>
    /// <value>The default value is true.</value>
    public bool Latex { get; init; } = true;

    /// <summary>Whether plain numbers and expressions in prose are looked for ("… is 1,000.99m²").</summary>
    /// <value>The default value is true.</value>
    public bool Plain { get; init; } = true;

    /// <summary>The decimal places both sides are rounded to when one of them is a decimal literal, so 0.333333 =
    /// 1/3 (Math-Verify's float_rounding). From 0 to 15.</summary>
    /// <value>The default value is 6.</value>
    public int DecimalPlaces { get; init; } = 6;

    /// <summary>Whether variable names must match: with false, f(y) matches f(x) (variables paired in sorted
    /// order).</summary>
    /// <value>The default value is true.</value>
    public bool StrictVariables { get; init; } = true;

    /// <summary>Whether a gold set also matches a predicted inequality (gold <c>x ∈ [-2,7]</c>, answer
    /// <c>-2 ≤ x ≤ 7</c>); a gold inequality always matches a predicted set.</summary>
    /// <value>The default value is false.</value>
    public bool GoldSetMatchesInequality { get; init; }

    /// <summary>The time one comparison may take; past it the answer counts as not equivalent.</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock the time bound is measured on.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The defaults.</summary>
    public static MathGradingOptions Default { get; } = new();

    /// <summary>Throws a <see cref="PonderException"/> naming the setting to change when the options cannot
    /// work.</summary>
    public void Validate()
    {
        if (!Latex && !Plain)
            throw new PonderException("MathGradingOptions: Latex and Plain are both false; enable one to find answers");
        if (DecimalPlaces is < 0 or > 15)
        {
            throw new PonderException(
                $"MathGradingOptions.DecimalPlaces must be 0–15 (got {DecimalPlaces}): it is the rounding of decimals"
            );
        }
        if (TimeBudget < TimeSpan.Zero)
            throw new PonderException($"MathGradingOptions.TimeBudget must not be negative (got {TimeBudget})");
        ArgumentNullException.ThrowIfNull(Time);
    }
}
