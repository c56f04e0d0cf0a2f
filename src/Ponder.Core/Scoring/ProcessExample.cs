namespace Ponder.Scoring;

/// <summary>
/// One sampled completion split into steps, with a Monte-Carlo label per step (Math-Shepherd): the share of
/// completions continued from the prefix through that step that reach a correct answer. The last step's label is the
/// completion's own grade.
/// </summary>
/// <param name="Ids">Prompt + completion ids (the front cut away when longer than the scorer's maximum).</param>
/// <param name="CompletionStart">Where the completion starts in <paramref name="Ids"/>.</param>
/// <param name="StepEnds">Position in <paramref name="Ids"/> of each step's last token, ascending; the last is the
/// completion's last token.</param>
/// <param name="Soft">Per step: the share of continuations that reached a correct answer (soft label).</param>
/// <param name="Rule">Per step: the task's rule check of its text (null when the task has none or the step is not
/// a checkable one).</param>
public sealed record ProcessExample(
    string ProblemId,
    int[] Ids,
    int CompletionStart,
    int[] StepEnds,
    double[] Soft,
    bool Correct,
    bool?[] Rule
)
{
    /// <summary>Math-Shepherd's hard label: some continuation from the prefix reached a correct answer.</summary>
    public bool Hard(int step) => Soft[step] > 0;

    /// <summary>The first step from which no continuation reached a correct answer (the reference for first-error
    /// detection), or −1 when every step could still lead to one.</summary>
    public int FirstError => Array.FindIndex(Soft, s => s <= 0);
}
