using Ponder.Tasks.Graders;

namespace Ponder.Tasks.Datasets;

/// <summary>
/// GSM8K: grade-school word problems with a numeric answer. The gold is the number after <c>#### </c> in the answer
/// field (commas stripped; a field without <c>####</c> must be a bare number). The prompt asks for a last line
/// "#### N": unambiguous for the grader, short after a reasoning model's thinking, and easy for an instruct model
/// to follow through an API. Graded by <see cref="NumberAnswer"/>; the canonical answer is the number ("18", "-0.5").
/// </summary>
public sealed class Gsm8kTask : IDatasetTask
{
    /// <summary>The instruction appended to each question.</summary>
    public const string Instruction = "Give the final answer as a number on the last line in the form: #### <number>";

    readonly DatasetSource source;

    /// <summary>Creates the task; the file is read on first use.</summary>
    public Gsm8kTask(DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        source = new DatasetSource(Name, options, Read);
    }

    /// <summary>The preset for openai/grade-school-math files: question "question", answer "answer".</summary>
    public static DatasetOptions Defaults(string path) => new(path);

    /// <inheritdoc/>
    public string Name => "gsm8k";

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
        var answer = NumberAnswer.Extract(answerText);
        if (answer is not { } value)
            return Tasks.Grade.NoAnswer;
        return new Grade(NumberAnswer.Parse(problem.Reference) == value, NumberAnswer.Canonical(value));
    }

    (string, string, IReadOnlyDictionary<string, string>) Read(JsonlRow row)
    {
        var question = source.Question(row);
        var answer = row.Require(Options.AnswerField, "answer");
        var marker = answer.LastIndexOf("####", StringComparison.Ordinal);
        var gold = marker < 0 ? answer : answer[(marker + 4)..];
        if (NumberAnswer.Parse(gold) is not { } value)
        {
            throw new PonderException(
                $"{row.File}:{row.Line}: field \"{Options.AnswerField}\" has no number after \"####\" "
                    + $"(found \"{Shorten(gold)}\"); GSM8K answers end with \"#### N\", or set --field "
                    + "answer=NAME to a field holding the number"
            );
        }

        var extra =
            marker < 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { ["solution"] = answer };
        return (question, NumberAnswer.Canonical(value), extra);
    }

    static string Shorten(string text) => text.Length <= 40 ? text.Trim() : text[..40].Trim() + "…";
}
