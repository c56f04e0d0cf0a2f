using Ponder.Sandbox;
using Ponder.Tasks.Datasets;

namespace Ponder.Tasks.Code;

/// <summary>
/// Programming problems graded by running the answer's program against tests in the sandbox: assert tests
/// (HumanEval, MBPP) or standard-input cases (Codeforces, CodeContests, LiveCodeBench), from JSONL. The answer's
/// program is its last fenced code block. The grade is accepted or not, with the passed share of tests as partial
/// credit (<see cref="Grade.Score"/>), the verdict (<see cref="CodeVerdict"/>), and as canonical answer a digest of
/// the program's outputs on the tests, so programs that behave alike vote together.
/// </summary>
public sealed class CodeTask : IDatasetTask
{
    readonly DatasetSource source;
    readonly CodeJudge judge;
    readonly CodeTaskOptions options;

    /// <summary>The task over <paramref name="options"/>' file, grading in <paramref name="sandbox"/>; the file is
    /// read on first use.</summary>
    public CodeTask(CodeTaskOptions options, Bubblewrap sandbox)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sandbox);
        this.options = options;
        judge = new CodeJudge(sandbox, CodeLanguages.Get(options.Language));
        var fields = options.Fields;
        var dataset = new DatasetOptions(options.Path)
        {
            QuestionField = fields["question"],
            AnswerField = fields["tests"],
            IdField = fields.TryGetValue("id", out var id) && id != "id" ? id : null,
            SkipMalformed = options.SkipMalformed,
        };
        source = new DatasetSource(
            Name,
            dataset,
            row =>
            {
                var (question, tests, extra) = CodeRows.Read(row, options);
                return (question, tests.ToJson(), extra);
            },
            row => CodeRows.Runnable(row, options)
        );
    }

    /// <summary>The task with a sandbox of its own (<see cref="Bubblewrap.Open"/>, which refuses with install
    /// instructions when bubblewrap is missing).</summary>
    public static CodeTask Open(CodeTaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var language = CodeLanguages.Get(options.Language);
        string interpreter = language.StdioCommand[0];
        if (!File.Exists(interpreter))
        {
            throw new PonderException(
                $"the code task runs {language.Title} programs with {interpreter}, which is not installed: "
                    + $"{Bubblewrap.InstallHint}."
            );
        }

        return new CodeTask(options, Bubblewrap.Open(options.Workers));
    }

    /// <inheritdoc/>
    public string Name => "code";

    /// <inheritdoc/>
    public DatasetOptions Options => source.Options;

    /// <summary>The code task's own settings.</summary>
    public CodeTaskOptions CodeOptions => options;

    /// <inheritdoc/>
    public int SkippedLines => source.Skipped;

    /// <inheritdoc/>
    public int GradingWorkers => options.Workers;

    /// <inheritdoc/>
    public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) => source.Problems(count);

    /// <inheritdoc/>
    public string Prompt(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        string language = judge.Language.Title;
        var tests = CodeTests.Of(problem);
        string ask =
            $"Write it in {language}, in one ```{judge.Language.FenceTags[0]} code block at the end of your answer.";
        if (!tests.IsFunction)
        {
            return $"{problem.Question.Trim()}\n\nWrite a complete program that reads the input from standard input "
                + $"and prints the answer to standard output. {ask}";
        }
        if (problem.Metadata.TryGetValue("entry_point", out var entry))
        {
            string fence = judge.Language.FenceTags[0];
            return $"Complete the function `{entry}`:\n\n```{fence}\n{problem.Question.Trim()}\n```"
                + $"\n\nGive the complete function with its imports. {ask}";
        }
        string example =
            tests.Asserts is [var first, ..] && first.Length <= 400
                ? $"\n\nYour code should pass tests like:\n{first.Trim()}"
                : "";
        return $"{problem.Question.Trim()}{example}\n\n{ask}";
    }

    /// <inheritdoc/>
    public Grade Grade(Problem problem, string answerText)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(answerText);
        var result = judge.Judge(CodeBlocks.Last(answerText, judge.Language), CodeTests.Of(problem));
        return new Grade(result.Verdict == CodeVerdict.Accepted, result.Outcome)
        {
            Score = result.PassedFraction,
            Verdict = result.Verdict.Name(),
            Detail = result.Detail.Length == 0 ? null : result.Detail,
        };
    }
}
