namespace Ponder.Tasks.Generated;

/// <summary>
/// Settings of the <c>countdown</c> task. Defaults follow Stream of Search's Countdown-4 (4 numbers, targets 10–100)
/// but with numbers 1–50 rather than TinyZero's 1–99: with a byte-level tokenizer every digit is a token, smaller
/// numbers keep states and traces short, and more of the products and quotients land in the target range, so a
/// ~5M-parameter model sees more solvable, shorter searches.
/// </summary>
public sealed record CountdownOptions
{
    /// <summary>Seed of the problem stream.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; init; }

    /// <summary>How many numbers a problem gives.</summary>
    /// <value>The default value is 4. Range 2..6.</value>
    public int Numbers { get; init; } = 4;

    /// <summary>Smallest number drawn (uniformly, with repeats allowed).</summary>
    /// <value>The default value is 1. At least 1.</value>
    public int MinNumber { get; init; } = 1;

    /// <summary>Largest number drawn.</summary>
    /// <value>The default value is 50. At most 999 (so every intermediate fits in 64 bits).</value>
    public int MaxNumber { get; init; } = 50;

    /// <summary>Smallest target.</summary>
    /// <value>The default value is 10.</value>
    public int MinTarget { get; init; } = 10;

    /// <summary>Largest target.</summary>
    /// <value>The default value is 100. At most 1,000,000.</value>
    public int MaxTarget { get; init; } = 100;

    /// <summary>Most lines of a search trace; the last lines are always the path to the target (see the
    /// search).</summary>
    /// <value>The default value is 24 (about 400 characters for 4 numbers). At least <see cref="Numbers"/> − 1.</value>
    public int MaxTraceLines { get; init; } = 24;

    /// <summary>Write only the moves of a shortest solution, no dead ends (the Stream of Search "optimal path"
    /// ablation).</summary>
    /// <value>The default value is false.</value>
    public bool PathOnly { get; init; }

    /// <summary>Only targets that no proper subset of the numbers can make, so every solution uses all of them and
    /// a one-operation guess never does (with "at most once" and small numbers, many targets are one product or sum
    /// away, and RL learns to guess instead of search).</summary>
    /// <value>The default value is false.</value>
    public bool AllNumbersNeeded { get; init; }

    /// <summary>How a search that would run past <see cref="MaxTraceLines"/> ends. True: its last lines walk straight
    /// to the target (an exhaustive solver picks them), so every problem has a trace that ends in a solution — but
    /// those lines are not search a model can imitate; it learns to write a solution-shaped guess there. False: a trace
    /// is only the search as it went, every line a real move; up to <see cref="CountdownTask.UnguidedTries"/> jittered
    /// move orders are tried, and a problem none of them solves within the limit has no trace (SFT leaves it out, so
    /// the model sees only searches that succeed, and thinking longer is how it finds more).</summary>
    /// <value>The default value is true.</value>
    public bool Guided { get; init; } = true;

    /// <summary>Begin every trace with a scan of the first moves in a fixed order (pairs as the prompt lists the
    /// numbers, then + * - /), one bare line each, ending at the first that makes the target; only when none does does
    /// the search (guided or not) follow, within <see cref="MaxTraceLines"/> lines of its own. A scan line is a check a
    /// model can compute, so thinking longer finds more; the guided search instead writes the most promising move
    /// first, a guess made before thinking. With <see cref="AllNumbersNeeded"/> no first move makes the target, so
    /// every trace then holds the whole scan before its search.</summary>
    /// <value>The default value is false.</value>
    public bool Scan { get; init; }

    /// <summary>Throws a <see cref="PonderException"/> saying what to change when the settings are
    /// inconsistent.</summary>
    public void Validate()
    {
        if (Numbers < 2 || Numbers > 6)
            throw new PonderException($"countdown: numbers must be between 2 and 6 (got {Numbers})");
        if (MinNumber < 1 || MinNumber > MaxNumber || MaxNumber > 999)
        {
            throw new PonderException(
                $"countdown: need 1 ≤ min-number ≤ max-number ≤ 999 (got {MinNumber}..{MaxNumber})"
            );
        }

        if (MinTarget < 1 || MinTarget > MaxTarget || MaxTarget > 1_000_000)
        {
            throw new PonderException(
                $"countdown: need 1 ≤ min-target ≤ max-target ≤ 1000000 (got {MinTarget}..{MaxTarget})"
            );
        }

        if (PathOnly && Scan)
        {
            throw new PonderException(
                "countdown: path-only traces have no search to scan before; drop scan=true or path-only=true"
            );
        }

        if (PathOnly && !Guided)
        {
            throw new PonderException(
                "countdown: path-only traces have no search to guide; drop guided=false or path-only=true"
            );
        }

        if (MaxTraceLines < Numbers - 1)
        {
            throw new PonderException(
                $"countdown: max-trace-lines must be ≥ numbers − 1 = {Numbers - 1}, the length of the "
                    + $"longest solution (got {MaxTraceLines})"
            );
        }
    }
}
