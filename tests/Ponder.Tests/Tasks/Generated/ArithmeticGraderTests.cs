using Ponder.Tasks;
using Ponder.Tasks.Generated;

namespace Ponder.Tests.Tasks.Generated;

public sealed class ArithmeticGraderTests
{
    static readonly ArithmeticTask Task = new(new ArithmeticOptions());

    [Theory]
    [InlineData(347, '*', 28, "9716", true, "9716")]
    [InlineData(347, '*', 28, "  9716 \n", true, "9716")]
    [InlineData(347, '*', 28, "9,716", true, "9716")]
    [InlineData(347, '*', 28, "the answer is 9716.", true, "9716")]
    [InlineData(347, '*', 28, "9715", false, "9715")]
    [InlineData(347, '*', 28, "09716", true, "9716")]
    [InlineData(347, '*', 28, "97 16", false, "16")]
    [InlineData(347, '*', 28, "12 then 9716", true, "9716")]
    [InlineData(28, '-', 347, "-319", true, "-319")]
    [InlineData(28, '-', 347, "319", false, "319")]
    [InlineData(28, '-', 347, "= -319 ", true, "-319")]
    [InlineData(55, '-', 55, "-0", true, "0")]
    [InlineData(999, '*', 999, "998,001", true, "998001")]
    [InlineData(999, '*', 999, "99999999999999999999999", false, "99999999999999999999999")]
    public void Given_answer_text_then_grade_reads_the_last_integer(
        long a,
        char op,
        long b,
        string text,
        bool correct,
        string canonical
    )
    {
        Assert.Equal(new Grade(correct, canonical), Task.Grade(ArithmeticTask.Create(a, op, b), text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("no idea")]
    [InlineData("-")]
    public void Given_no_integer_then_no_answer(string text)
    {
        Assert.Equal(Grade.NoAnswer, Task.Grade(ArithmeticTask.Create(347, '*', 28), text));
    }
}
