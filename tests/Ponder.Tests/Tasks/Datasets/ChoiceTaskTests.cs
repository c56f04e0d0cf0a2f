using Ponder.Tasks;
using Ponder.Tasks.Datasets;

namespace Ponder.Tests.Tasks.Datasets;

public sealed class ChoiceTaskTests
{
    static readonly ChoiceTask Task = new(ChoiceTask.Defaults("unused.jsonl"));
    static readonly Problem FourChoicesB = new(
        "p",
        "q",
        "B",
        new Dictionary<string, string> { ["choice_count"] = "4" }
    );

    [Theory]
    [InlineData(@"\boxed{B}", 'B')]
    [InlineData(@"\boxed{\text{(B)}}", 'B')]
    [InlineData("Answer: B", 'B')]
    [InlineData("**Answer:** (B)", 'B')]
    [InlineData("The answer is (C).", 'C')]
    [InlineData("the ANSWER is D", 'D')]
    [InlineData("Between (A) and (D), I pick (B).", 'B')]
    [InlineData("I think it is B", 'B')] // "I" is not one of four choices
    [InlineData("Answer: C\nActually A looks wrong too.", 'C')] // a stated answer beats a later letter
    public void Given_a_chosen_letter_then_it_is_extracted(string answer, char letter)
    {
        var grade = Task.Grade(FourChoicesB, answer);

        Assert.Equal(letter.ToString(), grade.Canonical);
        Assert.Equal(letter == 'B', grade.Correct);
    }

    [Theory]
    [InlineData("no letter here")]
    [InlineData(@"\boxed{E}")] // not among four choices
    [InlineData("Answer: F")]
    [InlineData("the answer is d")] // lower-case letters are words, not answers
    public void Given_no_valid_letter_then_no_answer(string answer) =>
        Assert.Equal(Grade.NoAnswer, Task.Grade(FourChoicesB, answer));

    [Fact]
    public void Given_choices_array_and_index_answer_then_prompt_lists_letters_and_gold_is_a_letter()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(
            dir,
            """{"question": "Which is prime?", "choices": ["4", "7", 9], "answer": 1}""",
            """{"question": "Pick C", "A": "x", "B": "y", "C": "z", "answer": "(c)"}"""
        );
        var task = new ChoiceTask(ChoiceTask.Defaults(path));

        var problems = task.Problems(TaskSplit.Test, null);

        Assert.Equal("Which is prime?\n\nA) 4\nB) 7\nC) 9\n\n" + ChoiceTask.Instruction, task.Prompt(problems[0]));
        Assert.Equal(["B", "C"], problems.Select(p => p.Reference));
        Assert.True(task.Grade(problems[0], "Answer: B").Correct);
        Assert.True(task.Grade(problems[1], "Answer: C").Correct);
        Assert.Equal(Grade.NoAnswer, task.Grade(problems[0], "Answer: D"));
    }

    [Theory]
    [InlineData("""{"question": "q", "answer": "A"}""", "field \"choices\" is missing")]
    [InlineData("""{"question": "q", "choices": "A or B", "answer": "A"}""", "must be an array")]
    [InlineData("""{"question": "q", "choices": ["x", "y"], "answer": "C"}""", "not a letter A–B")]
    [InlineData("""{"question": "q", "choices": ["x"], "answer": "A"}""", "needs 2 to 10")]
    public void Given_bad_choice_rows_then_load_fails_with_file_line(string line, string expected)
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(dir, line);

        var error = Assert.Throws<PonderException>(() =>
            new ChoiceTask(ChoiceTask.Defaults(path)).Problems(TaskSplit.Test, null)
        );

        Assert.StartsWith($"{path}:1: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
