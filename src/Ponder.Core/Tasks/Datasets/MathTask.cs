using Ponder.Tasks.Graders;

namespace Ponder.Tasks.Datasets;

/// <summary>
/// MATH / MATH-500: competition problems with a LaTeX answer. The prompt asks for the final answer in
/// <c>\boxed{}</c>; the grader takes the LAST boxed answer (no box → no answer, deliberately: a bare last line is too
/// ambiguous for LaTeX) and compares it with <see cref="MathAnswer.Equivalent"/>. The canonical answer is
/// <see cref="MathAnswer.Canonical"/>, so "0.5" and "\frac{1}{2}" vote together.
/// </summary>
public sealed class MathTask : IDatasetTask
{
    /// <summary>The instruction appended to each problem (the DeepSeek-R1 evaluation wording).</summary>
    public const string Instruction = "Please reason step by step, and put your final answer within \\boxed{}.";

    readonly DatasetSource source;

    /// <summary>Creates the task; the file is read on first use.</summary>
    public MathTask(DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        source = new DatasetSource(Name, options, Read);
    }

    /// <summary>The preset for MATH / MATH-500 files: question "problem", answer "answer", id "unique_id".</summary>
    public static DatasetOptions Defaults(string path) => new(path) { QuestionField = "problem" };

    /// <inheritdoc/>
    public string Name => "math";

    /// <inheritdoc/>
    public DatasetOptions Options => source.Options;

    /// <inheritdoc/>
    public int SkippedLines => source.Skipped;

    /// <inheritdoc/>
    public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) => source.Problems(count);

    /// <inheritdoc/>
    public string Prompt(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return $"{problem.Question}\n\n{Instruction}";
    }

    /// <inheritdoc/>
    public Grade Grade(Problem problem, string answerText)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(answerText);
        var boxed = Boxed.Last(answerText);
        if (boxed is null)
            return Tasks.Grade.NoAnswer;
        var canonical = MathAnswer.Canonical(boxed);
        if (canonical.Length == 0)
            return Tasks.Grade.NoAnswer;
        return new Grade(canonical == MathAnswer.Canonical(problem.Reference), canonical);
    }

    (string, string, IReadOnlyDictionary<string, string>) Read(JsonlRow row)
    {
        var answer = row.Require(Options.AnswerField, "answer");
        if (MathAnswer.Canonical(answer).Length == 0)
        {
            throw new PonderException(
                $"{row.File}:{row.Line}: field \"{Options.AnswerField}\" is empty; set --field answer=NAME to "
                    + "the field holding the answer"
            );
        }

        return (source.Question(row), answer, new Dictionary<string, string>());
    }
}
