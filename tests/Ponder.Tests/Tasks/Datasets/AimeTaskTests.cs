using Ponder.Tasks;
using Ponder.Tasks.Datasets;

namespace Ponder.Tests.Tasks.Datasets;

public sealed class AimeTaskTests
{
    static readonly AimeTask Task = new(AimeTask.Defaults("unused.jsonl"));

    static Problem Gold(string reference) => new("p", "q", reference, new Dictionary<string, string>());

    [Theory]
    [InlineData("25", @"\boxed{25}")]
    [InlineData("025", @"\boxed{25}")]
    [InlineData("25", @"\boxed{025}")]
    [InlineData("25", @"\boxed{\text{25}}")]
    [InlineData("25", "so the total is 25.")] // no box: the last number
    [InlineData("0", @"\boxed{000}")]
    [InlineData("999", @"$\boxed{999}$")]
    [InlineData("25", "Final Answer: The final answer is $25$. I hope it is correct. Check: $5^2 = 26$?")]
    [InlineData("25", "So the answer is $m + n = 25$, not 2.")] // a marked answer beats a later number
    public void Given_the_right_integer_then_correct_and_unpadded(string gold, string answer)
    {
        var grade = Task.Grade(Gold(gold), answer);

        Assert.True(grade.Correct, answer);
        Assert.Equal(
            int.Parse(gold, System.Globalization.CultureInfo.InvariantCulture)
                .ToString(System.Globalization.CultureInfo.InvariantCulture),
            grade.Canonical
        );
    }

    [Theory]
    [InlineData(@"\boxed{1000}")] // out of range
    [InlineData(@"\boxed{2.5}")] // not an integer
    [InlineData(@"\boxed{-3}")]
    [InlineData(@"\boxed{x+1}")]
    [InlineData("no idea")]
    [InlineData(@"The final answer is $\frac{1}{2}$. I hope it is correct.")] // marked, but not an integer
    public void Given_no_valid_aime_answer_then_no_answer(string answer) =>
        Assert.Equal(Grade.NoAnswer, Task.Grade(Gold("25"), answer));

    [Fact]
    public void Given_a_wrong_integer_then_incorrect_but_votable() =>
        Assert.Equal(new Grade(false, "24"), Task.Grade(Gold("25"), @"\boxed{24}"));

    [Fact]
    public void Given_rows_with_numeric_answers_and_question_field_then_they_load()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(
            dir,
            """{"question": "Q1", "answer": 25}""",
            """{"problem": "Q2", "answer": "073", "id": 7}"""
        );

        var problems = new AimeTask(AimeTask.Defaults(path)).Problems(TaskSplit.Test, null);

        Assert.Equal(["aime-1", "7"], problems.Select(p => p.Id));
        Assert.Equal(["Q1", "Q2"], problems.Select(p => p.Question));
        Assert.Equal(["25", "73"], problems.Select(p => p.Reference));
    }

    [Fact]
    public void Given_a_gold_out_of_range_then_load_fails_with_file_and_line()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(dir, """{"problem": "Q", "answer": "1000"}""");

        var error = Assert.Throws<PonderException>(() =>
            new AimeTask(AimeTask.Defaults(path)).Problems(TaskSplit.Test, null)
        );

        Assert.StartsWith(
            $"{path}:1: field \"answer\" is \"1000\", not an integer 0–999",
            error.Message,
            StringComparison.Ordinal
        );
    }
}
