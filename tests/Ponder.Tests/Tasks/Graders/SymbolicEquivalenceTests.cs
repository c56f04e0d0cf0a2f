using Ponder.Tasks.Graders;

namespace Ponder.Tests.Tasks.Graders;

/// <summary>Symbolic equivalence without a CAS: exact values, identity testing, structures and relations.</summary>
public sealed class SymbolicEquivalenceTests
{
    [Theory]
    [InlineData(@"3\sqrt{2}", @"\sqrt{18}")] // √18 = √(9·2) = 3√2
    [InlineData("1024", "2^{10}")]
    [InlineData(@"\frac{\sqrt{2}}{2}", @"\frac{1}{\sqrt{2}}")] // 1/√2 = √2/(√2·√2) = √2/2
    [InlineData(@"\sqrt{2}-1", @"\frac{1}{1+\sqrt{2}}")] // conjugate: (√2−1)/((√2+1)(√2−1)) = √2−1
    [InlineData("x^2+2x+1", "(x+1)^2")]
    [InlineData(@"\tan^2(y)+1", @"\sec^2(y)")]
    [InlineData(@"\frac{x+2}{7}", @"\frac{x}{7}+\frac{2}{7}")]
    [InlineData("-2", @"\sqrt[3]{-8}")] // the real cube root
    [InlineData(@"\frac{5\sqrt{42}}{27}", @"\frac{10\sqrt{10.5}}{27}")] // √10.5 = √(21/2) = √42/2
    [InlineData(@"e^{i\pi}", "-1")]
    public void Given_equal_values_in_other_forms_Then_equivalent(string gold, string pred) =>
        Assert.True(MathAnswer.Equivalent(gold, pred), $"{gold} vs {pred}");

    [Theory]
    [InlineData("4", @"4\sqrt{2}")]
    [InlineData("2", @"\frac{1+\sqrt{5}}{2}")]
    [InlineData("x+2n+1", "x+1")]
    [InlineData("(a+5)(b+2)", "(+5)(b+2)")]
    [InlineData(@"\sin(x)", @"\cos(x)")]
    [InlineData("x^2", "x^2+10^{-6}")] // beyond the identity tolerance, relative 1e-8 at values near 1
    [InlineData(@"\frac{1}{3}", "0.33")] // rounded to 6 places: 0.333333 ≠ 0.33
    public void Given_different_values_Then_not_equivalent(string gold, string pred) =>
        Assert.False(MathAnswer.Equivalent(gold, pred), $"{gold} vs {pred}");

    [Theory]
    [InlineData("y = 2x+1", "2x+1-y=0", true)] // the same line: differences −1 times each other
    [InlineData("2x+4y-3=0", @"y=-\frac{1}{2}x+\frac{3}{4}", true)] // ×4
    [InlineData("x = 3", "y = 3", false)]
    [InlineData("x = 3", "3", true)]
    [InlineData("3", "x = 3", true)]
    [InlineData("x > 5", "5 < x", true)]
    [InlineData(@"x \le 2", "-x >= -2", true)]
    [InlineData("x < 1", "x > -1", false)]
    [InlineData("x < 1", "2x < 2", true)] // a positive multiple keeps the direction
    [InlineData("x < 1", "-2x < -2", false)] // a negative one would need the sign flipped
    [InlineData("x < 1", "x <= 1", false)]
    [InlineData(@"-2 \le x \le 7", "[-2, 7]", true)]
    [InlineData("0 < x < 1", "(0, 1)", true)]
    [InlineData(@"1 \le |z| \le 2", @"[-2,-1] \cup [1,2]", true)]
    public void Given_relations_Then_compared_by_their_solutions(string gold, string pred, bool expected) =>
        Assert.Equal(expected, MathAnswer.Equivalent(gold, pred));

    [Theory]
    [InlineData(@"\{1, 2\}", "2, 1", true)]
    [InlineData("(1, 2)", "(2, 1)", false)]
    [InlineData("(1, 2]", "(1, 2)", false)]
    [InlineData(@"(-\infty, 0) \cup (1, \infty)", @"(1, \infty) \cup (-\infty, 0)", true)]
    [InlineData(@"1 \pm \sqrt{5}", @"\{1-\sqrt{5}, 1+\sqrt{5}\}", true)]
    [InlineData(@"\pm 2", "2", false)]
    [InlineData(
        @"\begin{pmatrix}6 & 8 \\ 10 & 12\end{pmatrix}",
        @"\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} + \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix}",
        true
    )]
    [InlineData(@"\begin{pmatrix}1 \\ 2\end{pmatrix}", @"\begin{pmatrix}1 \\ 3\end{pmatrix}", false)]
    public void Given_structures_Then_compared_element_by_element(string gold, string pred, bool expected) =>
        Assert.Equal(expected, MathAnswer.Equivalent(gold, pred));

    [Fact]
    public void Given_no_time_Then_a_comparison_is_not_equivalent_rather_than_slow()
    {
        var none = MathGradingOptions.Default with { TimeBudget = TimeSpan.Zero };

        Assert.False(MathAnswer.Equivalent("(x+1)^2", "x^2+2x+1", none));
        Assert.True(MathAnswer.Equivalent("(x+1)^2", "x^2+2x+1"));
    }

    [Theory]
    [InlineData("2^{2^{2^{2^{2^{100}}}}}")]
    [InlineData("1000000!")]
    [InlineData("10^{10^{10}}")]
    [InlineData(@"\frac{1}{0}")]
    [InlineData("12:00")]
    [InlineData(@"\sqrt{-1}")]
    public void Given_huge_or_undefined_values_Then_grading_returns_without_throwing(string answer)
    {
        _ = MathAnswer.Equivalent(answer, "1");
        _ = MathAnswer.Equivalent("1", answer);
        Assert.NotNull(MathAnswer.Canonical(answer));
    }

    [Fact]
    public void Given_deep_nesting_Then_the_parser_refuses_instead_of_overflowing()
    {
        var deep = "$" + new string('(', 5000) + "1" + new string(')', 5000) + "$";
        var tower = "$" + string.Concat(Enumerable.Repeat("x^", 5000)) + "2$";

        Assert.False(MathAnswer.Equivalent("1", deep));
        Assert.False(MathAnswer.Equivalent("1", tower));
    }

    [Fact]
    public void Given_bad_options_Then_the_message_names_the_setting()
    {
        var e = Assert.Throws<PonderException>(() =>
            MathAnswer.Equivalent("1", "1", MathGradingOptions.Default with { DecimalPlaces = 20 })
        );

        Assert.Contains("DecimalPlaces", e.Message, StringComparison.Ordinal);
    }
}
