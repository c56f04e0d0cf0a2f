using Ponder.Tasks.Graders;

namespace Ponder.Tests.Tasks.Graders;

/// <summary>Free-text extraction in Math-Verify's order: box, final-answer phrase, last math span or plain
/// number; bare answers as they are.</summary>
public sealed class AnswerExtractionTests
{
    [Theory]
    [InlineData("7", @"First $x = 3$, so \boxed{5}? Checking again the count is \boxed{7}.")] // the last box
    [InlineData("9999", "Final Answer: The final answer is $9999$. I hope it is correct.")]
    [InlineData(@"\frac{1}{2}", @"So the probability is \(\frac{1}{2}\).")]
    [InlineData("12", "We get $3 \\cdot 4$ which is 12.")] // the rightmost candidate
    [InlineData("1000.99", "not 10, it is 1,000.99m²")] // thousands separator, unit glued on
    [InlineData("2.74", "Soucis : 2,74 $ a..")] // a decimal comma where it cannot be a thousands group
    [InlineData("1000", "1 000")]
    [InlineData("32348", @"\$32,\!348")]
    [InlineData(@"28\%", "$28$ percent")]
    [InlineData(@"28\%", @"\boxed{28 pct}")]
    [InlineData("90", @"$\boxed{90^\circ}$")]
    [InlineData("15", @"$\boxed{15\mbox{ cm}^2}$")]
    [InlineData("3", "x = 3")]
    [InlineData(@"\{1,2\}", @"\boxed{1} and \boxed{2}")] // boxes joined by "and" are one answer
    [InlineData("2", @"\boxed{1} no no no no no \boxed{2}")] // a far box is an earlier attempt
    [InlineData("B", "The answer is (B).")]
    [InlineData("C", @"\boxed{\text{(C)}}")]
    [InlineData(@"\text{Evelyn}", "The final answer is Evelyn.")]
    [InlineData(@"\text{Navin}", "Navin")] // i is a letter of a word, not the imaginary unit
    public void Given_a_completion_Then_the_answer_is_found(string gold, string completion) =>
        Assert.True(MathAnswer.Equivalent(gold, completion), $"{gold} not found in: {completion}");

    [Theory]
    [InlineData("2", "AZYUK2A")] // a digit inside a word is not a number
    [InlineData("2", @"2\sqrt{2}")] // a bare answer is read whole, not as its first number
    public void Given_text_without_that_answer_Then_not_equivalent(string gold, string completion)
    {
        var plainOnly = MathGradingOptions.Default with { Latex = completion.Contains('\\') };
        Assert.False(MathAnswer.Equivalent(gold, completion));
        Assert.False(MathAnswer.Equivalent(gold, completion, plainOnly));
    }
}
