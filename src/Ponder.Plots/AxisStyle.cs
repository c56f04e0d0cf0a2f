namespace Ponder.Plots;

/// <summary>How a line chart's axes read. Immutable.</summary>
/// <param name="LogX">Log-scale x axis (base 10), for compute axes; every x must then be positive. <value>The default
/// value is false.</value></param>
/// <param name="IntegerX">x counts something whole, such as optimizer steps: ticks at whole numbers only. <value>The
/// default value is false.</value></param>
/// <param name="Fraction">y is a share, such as an accuracy: the axis spans 0 to 1 whatever the data, so a flat line
/// at 0 reads as 0 % rather than as the middle of an arbitrary range. <value>The default value is
/// false.</value></param>
public sealed record AxisStyle(bool LogX = false, bool IntegerX = false, bool Fraction = false)
{
    /// <summary>The default: linear axes scaled to the data.</summary>
    public static AxisStyle Plain { get; } = new();
}
