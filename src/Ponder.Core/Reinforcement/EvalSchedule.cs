namespace Ponder.Reinforcement;

/// <summary>
/// The steps at which an RL run evaluates held-out problems. Step 0 is the starting model (before any update) and the
/// last step is the trained one, always; between them either every N steps or points spaced evenly in log(step), the
/// spacing of a train-time compute plot whose x axis is logarithmic.
/// </summary>
public static class EvalSchedule
{
    /// <summary>
    /// Step 0 and <paramref name="points"/> − 1 steps log-spaced from 1 to <paramref name="steps"/>:
    /// round(steps^(j/(points − 2))) for j = 0 … points − 2. Rounding can map neighbours to one step when the run is
    /// short, so duplicates are dropped and the list may hold fewer than <paramref name="points"/> steps.
    /// </summary>
    /// <param name="steps">Optimizer steps of the run, at least 1.</param>
    /// <param name="points">Evaluations including step 0, at least 2 (step 0 and the last step).</param>
    public static IReadOnlyList<int> LogSpaced(int steps, int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        var result = new SortedSet<int> { 0, steps };
        for (int j = 0; j <= points - 2; j++)
        {
            double exponent = points == 2 ? 1 : (double)j / (points - 2);
            result.Add((int)Math.Round(Math.Pow(steps, exponent), MidpointRounding.AwayFromZero));
        }
        return [.. result];
    }

    /// <summary>Every <paramref name="every"/> steps (0: none between), with step 0 and the last step.</summary>
    public static IReadOnlyList<int> Every(int steps, int every)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(every);
        var result = new SortedSet<int> { 0, steps };
        for (int s = every; every > 0 && s < steps; s += every)
            result.Add(s);
        return [.. result];
    }
}
