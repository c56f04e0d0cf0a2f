using System.Globalization;
using Ponder.Tasks.Graders;

namespace Ponder.Tasks.Datasets;

/// <summary>
/// AIME: the answer is an integer 0–999 (golds may be zero-padded, "025", or JSON numbers). The prompt asks for a
/// <c>\boxed{}</c> answer; <see cref="AimeAnswer"/> takes the last box, else the last number. The canonical answer
/// is the integer without padding ("25").
/// </summary>
public sealed class AimeTask : IDatasetTask
{
    /// <summary>The instruction appended to each problem.</summary>
    public const string Instruction =
        "Please reason step by step, and put your final answer within \\boxed{}. The answer is an integer "
        + "from 0 to 999.";

    readonly DatasetSource source;

    /// <summary>Creates the task; the file is read on first use.</summary>
    public AimeTask(DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        source = new DatasetSource(Name, options, Read);
    }

    /// <summary>The preset for AIME files: question "problem" (else "question"), answer "answer", id "id".</summary>
    public static DatasetOptions Defaults(string path) =>
        new(path) { QuestionField = "problem", QuestionFallbackField = "question" };

    /// <inheritdoc/>
    public string Name => "aime";

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
        if (AimeAnswer.Extract(answerText) is not { } answer)
            return Tasks.Grade.NoAnswer;
        return new Grade(AimeAnswer.Parse(problem.Reference) == answer, answer.ToString(CultureInfo.InvariantCulture));
    }

    (string, string, IReadOnlyDictionary<string, string>) Read(JsonlRow row)
    {
        var answer = row.Require(Options.AnswerField, "answer");
        if (AimeAnswer.Parse(answer) is not { } gold)
        {
            throw new PonderException(
                $"{row.File}:{row.Line}: field \"{Options.AnswerField}\" is \"{answer}\", not an integer 0–999; "
                    + "AIME answers are integers, or set --field answer=NAME to another field"
            );
        }

        return (source.Question(row), gold.ToString(CultureInfo.InvariantCulture), new Dictionary<string, string>());
    }
}
