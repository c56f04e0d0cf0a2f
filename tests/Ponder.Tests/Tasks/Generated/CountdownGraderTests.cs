using Ponder.Tasks;
using Ponder.Tasks.Generated;

namespace Ponder.Tests.Tasks.Generated;

public sealed class CountdownGraderTests
{
    static readonly CountdownTask Task = new(new CountdownOptions());

    // 12 5 7 9 → 41 has the solution (9-5)*12-7 = 4*12-7 = 48-7 = 41.
    static readonly Problem Problem = CountdownTask.Create([12, 5, 7, 9], 41);

    [Theory]
    [InlineData("(9-5)*12-7")]
    [InlineData("(9-5)*12-7=41")]
    [InlineData("  ( 9 - 5 ) * 12 - 7   =  41  ")]
    [InlineData("12*(9-5)-7")]
    [InlineData("((9-5)*12)-7")]
    [InlineData("(9−5)×12−7")]
    [InlineData("(9-5)x12-7")]
    [InlineData("(9-5) X 12 - 7")]
    [InlineData("\n\n(9-5)*12-7=41\nsome trailing line")]
    [InlineData("(9-5)*12-7=")] // an empty right-hand side claims nothing
    [InlineData("(9-5)*12-7 = 48-7")] // a right-hand side that is an expression of the same value
    public void Given_a_correct_expression_then_correct_and_canonical_is_the_target(string answer)
    {
        Assert.Equal(new Grade(true, "41"), Task.Grade(Problem, answer));
    }

    [Theory]
    [InlineData("12*5-7-9", "44")] // allowed numbers, wrong value: votes with other 44s
    [InlineData("12/9", "4/3")] // exact rational value
    [InlineData("12-5-7*9", "-56")]
    public void Given_a_valid_expression_with_the_wrong_value_then_incorrect_with_its_value(
        string answer,
        string canonical
    )
    {
        Assert.Equal(new Grade(false, canonical), Task.Grade(Problem, answer));
    }

    [Theory]
    [InlineData("(9-5)*12-7+5-5")] // 5 used three times
    [InlineData("(9-5)*12-7+0")] // 0 is not a number of the problem
    [InlineData("41")] // 41 is not a number of the problem
    [InlineData("(9-4)*12-7-12")] // 4 is not given, 12 used twice
    [InlineData("9/(12-5-7)")] // division by zero: incorrect, no exception
    [InlineData("9÷(12−5−7)")]
    public void Given_invalid_numbers_or_division_by_zero_then_incorrect_without_a_vote(string answer)
    {
        Assert.Equal(new Grade(false, null), Task.Grade(Problem, answer));
    }

    [Theory]
    [InlineData("(9-5)*12-7 = 40")] // a false equation: RL learnt to write "5+5=16" for target 10 when '=…' was ignored
    [InlineData("12*5-7-9 = 41")] // false, and the left side misses the target too
    [InlineData("(9-5)*12-7 = forty-one")]
    [InlineData("(9-5)*12-7 = 41 = 42")]
    public void Given_a_false_or_unreadable_equation_then_incorrect_without_a_vote(string answer)
    {
        Assert.Equal(new Grade(false, null), Task.Grade(Problem, answer));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n  ")]
    [InlineData("no idea")]
    [InlineData("(9-5")]
    [InlineData("9-5)")]
    [InlineData("-7+12*(9-5)")] // no unary minus
    [InlineData("12 5")]
    [InlineData("(9-5)*12-7 ok")]
    [InlineData("=41")]
    [InlineData("12+*5")]
    public void Given_no_expression_then_no_answer(string answer)
    {
        Assert.Equal(Grade.NoAnswer, Task.Grade(Problem, answer));
    }

    [Fact]
    public void Given_absurdly_nested_parentheses_then_no_answer_and_no_stack_overflow()
    {
        string answer = new string('(', 100_000) + "12" + new string(')', 100_000);

        Assert.Equal(Grade.NoAnswer, Task.Grade(Problem, answer));
    }

    [Fact]
    public void Given_a_fraction_intermediate_then_it_counts_because_only_the_exact_value_matters()
    {
        // 6/(1-3/4) = 6/(1/4) = 24; the generator's traces never need fractions, but the prompt does not forbid them.
        var problem = CountdownTask.Create([1, 3, 4, 6], 24);

        Assert.Equal(new Grade(true, "24"), Task.Grade(problem, "6/(1-3/4)"));
        Assert.Equal(new Grade(true, "24"), Task.Grade(problem, "4*6")); // a subset of the numbers is fine
        Assert.Equal(new Grade(true, "24"), Task.Grade(problem, "6*4=24"));
    }

    [Fact]
    public void Given_repeated_numbers_in_the_problem_then_each_copy_may_be_used_once()
    {
        var problem = CountdownTask.Create([5, 5, 2], 50);

        Assert.True(Task.Grade(problem, "5*5*2").Correct);
        Assert.Equal(new Grade(false, null), Task.Grade(problem, "5*5*2*5/5"));
    }
}
