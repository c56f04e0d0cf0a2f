using Ponder.Tasks.Graders;

namespace Ponder.Tests.Tasks.Datasets;

public sealed class BoxedTests
{
    [Theory]
    [InlineData(@"so \boxed{\frac{1}{2}}.", @"\frac{1}{2}")] // nested braces balance
    [InlineData(@"first \boxed{1}, then \boxed{2}", "2")] // the last box wins
    [InlineData(@"$\boxed 5$", "5")] // hendrycks' bare form
    [InlineData(@"\fbox{3}", "3")]
    [InlineData(@"or $\framebox{204}$ minutes", "204")] // AIME 2024 solutions use \framebox
    [InlineData(@"\boxed{7} and then \boxed{\frac{1}{2}", "7")] // an unclosed last box falls back
    [InlineData(@"\boxed{\{1,2\}}", @"\{1,2\}")] // escaped braces are content
    [InlineData(@"\boxed{}", "")]
    public void Given_text_with_a_box_then_last_complete_box_content(string text, string expected) =>
        Assert.Equal(expected, Boxed.Last(text));

    [Theory]
    [InlineData("The answer is 5.")]
    [InlineData(@"\boxedx")]
    [InlineData(@"\boxed{5")]
    public void Given_text_without_a_complete_box_then_null(string text) => Assert.Null(Boxed.Last(text));
}
