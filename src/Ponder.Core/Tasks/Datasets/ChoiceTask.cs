using System.Globalization;
using System.Text;
using System.Text.Json;
using Ponder.Tasks.Graders;

namespace Ponder.Tasks.Datasets;

/// <summary>
/// Multiple choice (GPQA, MMLU-style files). Choices come from a JSON array field (default "choices") or, when a row
/// lacks it, from fields "A", "B", "C", …; at most 10 (A–J). The gold is a letter ("B", "(b)") or a 0-based index
/// (1 → B). The question text of a <see cref="Problem"/> includes the lettered choices ("A) …"); metadata
/// "choice_count" limits which letters the grader accepts. Canonical answer: the letter.
/// </summary>
public sealed class ChoiceTask : IDatasetTask
{
    /// <summary>The instruction appended to each question.</summary>
    public const string Instruction =
        "End with a line of the form \"Answer: X\", where X is the letter of the correct choice.";

    const string Letters = "ABCDEFGHIJ";
    readonly DatasetSource source;

    /// <summary>Creates the task; the file is read on first use.</summary>
    public ChoiceTask(DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        source = new DatasetSource(Name, options, Read);
    }

    /// <summary>The preset: question "question", choices "choices" (else fields A, B, …), answer "answer".</summary>
    public static DatasetOptions Defaults(string path) => new(path);

    /// <inheritdoc/>
    public string Name => "choice";

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
        var count = ChoiceCount(problem);
        if (ChoiceAnswer.Extract(answerText, count) is not { } letter)
            return Tasks.Grade.NoAnswer;
        return new Grade(ChoiceAnswer.Gold(problem.Reference, count) == letter, letter.ToString());
    }

    /// <summary>The number of choices of <paramref name="problem"/> (metadata "choice_count"; 10 when
    /// absent).</summary>
    public static int ChoiceCount(Problem problem) =>
        problem?.Metadata.TryGetValue("choice_count", out var text) == true
        && int.TryParse(text, CultureInfo.InvariantCulture, out var n)
            ? n
            : Letters.Length;

    (string, string, IReadOnlyDictionary<string, string>) Read(JsonlRow row)
    {
        var question = source.Question(row);
        var choices = Choices(row);
        var answer = row.Require(Options.AnswerField, "answer");
        if (ChoiceAnswer.Gold(answer, choices.Count) is not { } gold)
        {
            throw new PonderException(
                $"{row.File}:{row.Line}: field \"{Options.AnswerField}\" is \"{answer}\", not a letter "
                    + $"A–{Letters[choices.Count - 1]} or a 0-based index below {choices.Count}; set --field "
                    + "answer=NAME to another field"
            );
        }

        var text = new StringBuilder(question).Append("\n\n");
        for (var i = 0; i < choices.Count; i++)
            text.Append(Letters[i]).Append(") ").Append(choices[i]).Append('\n');
        var metadata = new Dictionary<string, string>
        {
            ["choice_count"] = choices.Count.ToString(CultureInfo.InvariantCulture),
        };
        return (text.ToString().TrimEnd(), gold.ToString(), metadata);
    }

    List<string> Choices(JsonlRow row)
    {
        List<string> choices;
        if (row.Has(Options.ChoicesField))
        {
            var value = row.Value.GetProperty(Options.ChoicesField);
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw new PonderException(
                    $"{row.File}:{row.Line}: field \"{Options.ChoicesField}\" must be an array of choice texts"
                );
            }

            choices = value.EnumerateArray().Select(c => row.Scalar(Options.ChoicesField, c)).ToList();
        }
        else
        {
            choices = Letters
                .Select(l => l.ToString())
                .TakeWhile(row.Has)
                .Select(l => row.Require(l, "choices"))
                .ToList();
            if (choices.Count == 0)
            {
                throw new PonderException(
                    $"{row.File}:{row.Line}: field \"{Options.ChoicesField}\" is missing (and no fields A, B, …); "
                        + "set --field choices=NAME to the field holding the array of choices"
                );
            }
        }
        if (choices.Count is < 2 or > 10)
        {
            throw new PonderException(
                $"{row.File}:{row.Line}: {choices.Count} choices; multiple choice needs 2 to 10 (letters A–J)"
            );
        }

        return choices;
    }
}
