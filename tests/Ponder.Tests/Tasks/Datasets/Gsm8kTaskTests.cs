using Ponder.Tasks;
using Ponder.Tasks.Datasets;

namespace Ponder.Tests.Tasks.Datasets;

public sealed class Gsm8kTaskTests
{
    static readonly Gsm8kTask Task = new(Gsm8kTask.Defaults("unused.jsonl"));
    static readonly Problem Eighteen = new("p", "q", "18", new Dictionary<string, string>());

    [Theory]
    [InlineData("#### 18", "18")]
    [InlineData("#### 18.00", "18")] // 18 = 18.0 = 18.00
    [InlineData("#### $18", "18")]
    [InlineData(@"\boxed{18}", "18")]
    [InlineData(@"\boxed{\$18 \text{ dollars}}", "18")]
    [InlineData("The answer is 18.", "18")]
    [InlineData("Answer: $18", "18")]
    [InlineData("She makes 9 * 2 = 18 dollars.", "18")] // no mark: the last number
    [InlineData("#### 18\nCheck: 9 + 9 = 18, and 20 - 2 = 18 too; 7", "18")] // a mark beats a later number
    [InlineData("The answer is 18. Check: 3 + 4 = 7", "18")]
    public void Given_answer_for_18_then_correct(string answer, string canonical)
    {
        var grade = Task.Grade(Eighteen, answer);

        Assert.True(grade.Correct, answer);
        Assert.Equal(canonical, grade.Canonical);
    }

    [Theory]
    [InlineData("#### 1,234", "1234", "1234")]
    [InlineData("#### 1234", "1,234", "1234")]
    [InlineData("The loss is -10 dollars.", "-10", "-10")]
    [InlineData("#### \u221210", "-10", "-10")]
    [InlineData("It grows by 50%.", "50", "50")]
    [InlineData("So x = 0.50", "0.5", "0.5")]
    [InlineData("#### 7,425,000", "7425000", "7425000")]
    [InlineData(@"\boxed{\frac{1}{2}}", "0.5", "0.5")] // a boxed fraction is its value, not its last digit
    [InlineData("The final answer is: 12.5", "12.5", "12.5")]
    [InlineData(@"Final Answer: The final answer is $\frac{3}{4}$. I hope it is correct.", "0.75", "0.75")]
    public void Given_formatted_numbers_then_compared_as_numbers(string answer, string gold, string canonical)
    {
        var problem = Eighteen with { Reference = gold };

        var grade = Task.Grade(problem, answer);

        Assert.True(grade.Correct, answer);
        Assert.Equal(canonical, grade.Canonical);
    }

    [Theory]
    [InlineData("#### 17", "17")]
    [InlineData("#### 180", "180")]
    [InlineData("It is 1.8 then", "1.8")]
    [InlineData("3 - 21 = -18", "-18")]
    public void Given_wrong_number_then_incorrect_with_its_canonical(string answer, string canonical)
    {
        var grade = Task.Grade(Eighteen, answer);

        Assert.False(grade.Correct);
        Assert.Equal(canonical, grade.Canonical);
    }

    [Theory]
    [InlineData("I am not sure.")]
    [InlineData("")]
    public void Given_no_number_then_no_answer(string answer) =>
        Assert.Equal(Grade.NoAnswer, Task.Grade(Eighteen, answer));

    [Fact]
    public void Given_a_problem_then_prompt_ends_with_the_answer_format()
    {
        Assert.Equal("How many?\n\n" + Gsm8kTask.Instruction, Task.Prompt(Eighteen with { Question = "How many?" }));
        Assert.Contains("#### <number>", Gsm8kTask.Instruction, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_gold_without_a_number_then_load_fails_with_file_line_and_field()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(
            dir,
            """{"question": "q1", "answer": "x #### 5"}""",
            """{"question": "q2", "answer": "#### many"}"""
        );

        var error = Assert.Throws<PonderException>(() =>
            new Gsm8kTask(Gsm8kTask.Defaults(path)).Problems(TaskSplit.Test, null)
        );

        Assert.StartsWith($"{path}:2: field \"answer\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("--field answer=NAME", error.Message, StringComparison.Ordinal);
    }
}
