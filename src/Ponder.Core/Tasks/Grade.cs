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

    public static Grade NoAnswer { get; } = new(false, null);
}
