namespace Ponder.Tasks;

/// <summary>One verifiable problem.</summary>
/// <param name="Id">Stable identifier (dataset id, or a key derived from the generated content).</param>
/// <param name="Question">The problem text as the task states it (the prompt is built from it by the task).</param>
/// <param name="Reference">The reference answer in the task's own notation (a number, LaTeX, a letter, or for
/// countdown the target; the grader decides what counts as equal).</param>
/// <param name="Metadata">Task-specific facts (difficulty, numbers, subject, level, …).</param>
public sealed record Problem(
    string Id,
    string Question,
    string Reference,
    IReadOnlyDictionary<string, string> Metadata
);
