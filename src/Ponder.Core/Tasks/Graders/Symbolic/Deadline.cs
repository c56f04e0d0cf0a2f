namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>A time bound for one decision. Comparisons call <see cref="Check"/> in every loop and recursion; past
/// the bound it throws <see cref="DeadlineExceeded"/>, which the grader turns into "not equivalent".</summary>
sealed class Deadline
{
    readonly TimeProvider time;
    readonly TimeSpan budget;
    readonly long start;

    public Deadline(TimeProvider time, TimeSpan budget)
    {
        this.time = time;
        this.budget = budget;
        start = time.GetTimestamp();
    }

    public void Check()
    {
        if (time.GetElapsedTime(start) > budget)
            throw new DeadlineExceeded();
    }
}

/// <summary>A decision ran past its <see cref="Deadline"/>.</summary>
sealed class DeadlineExceeded : Exception
{
    public DeadlineExceeded()
        : base("the comparison ran past its time bound") { }

    public DeadlineExceeded(string message)
        : base(message) { }

    public DeadlineExceeded(string message, Exception inner)
        : base(message, inner) { }
}
