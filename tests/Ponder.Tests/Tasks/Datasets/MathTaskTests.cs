using Ponder.Tasks;
using Ponder.Tasks.Datasets;

namespace Ponder.Tests.Tasks.Datasets;

public sealed class MathTaskTests
{
    static readonly MathTask Task = new(MathTask.Defaults("unused.jsonl"));
    static readonly Problem Half = new("p", "q", @"\frac{1}{2}", new Dictionary<string, string>());

    [Fact]
    public void Given_spellings_of_one_half_then_all_correct_and_they_vote_together()
    {
        var grades = new[] { @"\boxed{\frac12}", @"\boxed{0.5}", @"$\boxed{1/2}$", @"\boxed{\dfrac{1}{2}}." }
            .Select(answer => Task.Grade(Half, answer))
            .ToList();

        Assert.All(grades, g => Assert.True(g.Correct));
        Assert.Single(grades.Select(g => g.Canonical).Distinct());
    }

    [Fact]
    public void Given_several_boxes_then_the_last_one_is_graded()
    {
        // Boxes close together (under 10 characters) or joined by a comma, "and" or "or" are one answer, a set.
        Assert.True(Task.Grade(Half, @"Maybe \boxed{2}? Checking it again gives \boxed{\frac{1}{2}}").Correct);
        Assert.False(Task.Grade(Half, @"\boxed{\frac{1}{2}}? Checking it again gives \boxed{2}").Correct);
        Assert.False(Task.Grade(Half, @"\boxed{2} and \boxed{\frac{1}{2}}").Correct);
    }

    [Theory]
    [InlineData("The answer is 1/2.")] // Math-Verify's order: box, final-answer phrase, last math span or number
    [InlineData("Final Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.")]
    [InlineData("So $x = 0.5$.")]
    [InlineData("0.5")] // a bare answer
    public void Given_an_answer_without_a_box_then_it_is_still_read(string answer) =>
        Assert.True(Task.Grade(Half, answer).Correct);

    [Theory]
    [InlineData(@"\boxed{}")]
    [InlineData("")]
    [InlineData("   ")]
    public void Given_no_answer_then_no_answer(string answer) => Assert.Equal(Grade.NoAnswer, Task.Grade(Half, answer));

    [Fact]
    public void Given_a_wrong_boxed_answer_then_incorrect_with_canonical() =>
        Assert.Equal(new Grade(false, "2/3"), Task.Grade(Half, @"\boxed{\frac{2}{3}}"));

    [Fact]
    public void Given_a_problem_then_prompt_asks_for_a_boxed_answer() =>
        Assert.EndsWith(@"within \boxed{}.", Task.Prompt(Half), StringComparison.Ordinal);
}
