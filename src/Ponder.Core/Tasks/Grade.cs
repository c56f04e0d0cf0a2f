namespace Ponder.Tasks;

/// <summary>What the grader decided about one answer.</summary>
/// <param name="Correct">Whether the answer is right.</param>
/// <param name="Canonical">The extracted answer in canonical form — the key majority voting groups by — or null
/// when no answer could be extracted (a missing answer never wins a vote).</param>
public sealed record Grade(bool Correct, string? Canonical)
{
    /// <summary>Set when the grader threw: the sample counts as incorrect and the run goes on (the error is
    /// logged).</summary>
    public string? Error { get; init; }

    /// <summary>Partial credit in [0, 1] where the task has it (code: the share of tests passed), else null: the
    /// grade is all or nothing. RL's partial reward uses it; <see cref="Correct"/> stays the all-or-nothing
    /// verdict every metric counts.</summary>
    public double? Score { get; init; }

    /// <summary>The task's finer verdict where it has one (code: "accepted", "wrong answer", "time limit", …), else
    /// null.</summary>
    public string? Verdict { get; init; }

    /// <summary>Why the verdict is what it is, for people reading samples (code: the first failing test's error or
    /// the expected value), else null.</summary>
    public string? Detail { get; init; }

    public static Grade NoAnswer { get; } = new(false, null);
}
