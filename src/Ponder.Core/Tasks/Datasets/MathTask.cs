using Ponder.Tasks.Graders;

namespace Ponder.Tasks.Datasets;

/// <summary>
/// MATH / MATH-500: competition problems with a LaTeX answer. The prompt asks for the final answer in
/// <c>\boxed{}</c>, but the grader reads any completion as Math-Verify does (<see cref="MathAnswer"/>: the last box,
/// else a final-answer phrase, else the last math span or plain number; a bare answer is taken as it is) and compares
/// it with the reference symbolically. The canonical answer is the voting key of <see cref="MathAnswer.Canonical"/>,
/// so "0.5" and "\frac{1}{2}" vote together.
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
        return MathAnswer.Grade(problem.Reference, answerText, MathGradingOptions.Default);
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
