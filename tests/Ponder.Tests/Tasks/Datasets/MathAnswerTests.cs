using Ponder.Tasks.Graders;

namespace Ponder.Tests.Tasks.Datasets;

public sealed class MathAnswerTests
{
    public static TheoryData<string, string> EquivalentNumbers =>
        new()
        {
            // fractions: every spelling of one half votes together
            { @"\frac{1}{2}", @"\frac12" },
            { @"\frac{1}{2}", @"\dfrac{1}{2}" },
            { @"\frac{1}{2}", @"\tfrac{1}{2}" },
            { @"\frac{1}{2}", "0.5" },
            { @"\frac{1}{2}", ".5" },
            { @"\frac{1}{2}", "1/2" },
            { @"\frac{1}{2}", "0.50" },
            { @"\frac 34", @"\frac{3}{4}" },
            { @"\frac9{19}", @"\frac{9}{19}" },
            { @"1\frac{4}{5}", @"\frac{9}{5}" }, // mixed number
            // negatives
            { @"-\frac{3}{8}", @"\frac{-3}{8}" },
            { @"-\frac{3}{8}", "-0.375" },
            { @"-\frac{3}{8}", "-3/8" },
            { "-5", "\u22125" }, // Unicode minus sign
            // integers and decimals
            { "4", "4.0" },
            { ".0000672", "0.0000672" },
            // radicals and pi
            { @"\sqrt3", @"\sqrt{3}" },
            { @"11\sqrt2", @"11 \sqrt{2}" },
            { @"\frac{\sqrt{3}}{3}", @"\sqrt{3}/3" },
            { @"\frac{\pi}{2}", @"\pi/2" },
            { @"8 \pi", @"8\pi" },
            // percent is its number; thousands separators; currency
            { @"50\%", "50" },
            { "7,425,000", "7425000" },
            { @"2\sqrt{2}", @"\sqrt{8}" }, // radicals in canonical form a√b
            { @"\frac{1}{\sqrt{2}}", @"\frac{\sqrt{2}}{2}" },
            { "(x+1)^2", "x^2+2x+1" }, // polynomials key by their expanded form
            { "2^{10}", "1024" },
            { @"10,\!080", "10080" },
            { "1{,}000", "1000" },
            { @"\$32,\!348", "32348" },
            { @"\$18.90", "18.9" },
        };

    public static TheoryData<string, string> EquivalentExpressions =>
        new()
        {
            // units and degrees
            { @"5.4 \text{ cents}", "5.4" },
            { @"15\mbox{ cm}^2", "15" },
            { @"\frac{270}7\text{ degrees}", @"\frac{270}{7}" },
            { @"90^\circ", "90" },
            { @"30^{\circ}", "30" },
            // variables, \left \right, text answers
            { @"x \in [-2,7]", "[-2,7]" },
            { "x^{2}", "x^2" },
            { @"\left( 3, \frac{\pi}{2} \right)", @"(3,\frac{\pi}{2})" },
            { @"\text{(B)}", "B" },
            { "5.", "5" },
            // tuples and intervals element-wise, sets and bare lists order-insensitive
            { "(1,2]", @"\left(1, 2\right]" },
            { @"\left( \frac{3}{2}, -13 \right)", "(1.5,-13)" },
            { @"(-\infty, 2) \cup (3, \infty)", @"(-\infty,2)\cup(3,\infty)" },
            { @"\{1,2\}", @"\{2,1\}" },
            { "3, 5, 7", "7,5,3" },
            { "3, 5, 7", @"\{3,5,7\}" },
            {
                @"\begin{pmatrix} 1/5 \\ -18/5 \end{pmatrix}",
                @"\begin{pmatrix}\frac{1}{5}\\-\frac{18}{5}\end{pmatrix}"
            },
        };

    public static TheoryData<string, string> DifferentPairs =>
        new()
        {
            { "4", @"4\sqrt{2}" }, // a number never equals an expression containing it
            { "1/2", "12" },
            { "(1,2)", "[1,2]" }, // brackets must match
            { "(1,2)", "(2,1)" }, // tuples are ordered
            { "(3,4]", "(3,4)" },
            { "(7,425)", "7425" }, // a tuple is not a thousands-separated number
            { "1,2", "12" },
            { @"\frac{1}{3}", "0.333" }, // no rounding
            { "-2", "2" },
            { @"\frac{1}{2}", @"\frac{1}{3}" },
            { @"\sqrt{3}", @"\sqrt{2}" },
            { @"\begin{pmatrix}1\\2\end{pmatrix}", @"\begin{pmatrix}12\end{pmatrix}" },
            { "x^2", "x^3" },
            { "5", "" }, // an empty answer is never right
            { "x=5", "y=5" }, // two assignments of different variables
            { "|x|+1", "x+1" }, // identity testing samples negative values too
            { @"\sqrt{x^2}+1", "x+1" },
        };

    /// <summary>Equivalent, but keyed apart: the key of an assignment keeps its variable (x = 5 and y = 5 must not
    /// vote together), and a word is keyed as text while its letters are a product.</summary>
    public static TheoryData<string, string> EquivalentWithOwnKeys =>
        new()
        {
            { "x=5", "5" },
            { "y = 2x + 3", "2x+3" },
            { @"\text{Evelyn}", "Evelyn" },
            { @"\frac{x^2-1}{x-1}", "x+1" }, // the key of a rational function is its print, not a normal form
        };

    [Theory]
    [MemberData(nameof(EquivalentNumbers))]
    [MemberData(nameof(EquivalentExpressions))]
    public void Given_equivalent_answers_then_equivalent_both_ways_and_same_canonical(string gold, string candidate)
    {
        Assert.True(
            MathAnswer.Equivalent(gold, candidate),
            $"{MathAnswer.Canonical(gold)} vs {MathAnswer.Canonical(candidate)}"
        );
        Assert.True(MathAnswer.Equivalent(candidate, gold));
        Assert.Equal(MathAnswer.Canonical(gold), MathAnswer.Canonical(candidate));
    }

    [Theory]
    [MemberData(nameof(EquivalentWithOwnKeys))]
    public void Given_equivalent_answers_with_own_keys_then_equivalent_both_ways(string gold, string candidate)
    {
        Assert.True(MathAnswer.Equivalent(gold, candidate));
        Assert.True(MathAnswer.Equivalent(candidate, gold));
        Assert.NotEqual(MathAnswer.Canonical(gold), MathAnswer.Canonical(candidate));
    }

    [Fact]
    public void Given_a_percent_then_it_matches_its_value_and_its_number()
    {
        // Math-Verify reads 50% as 0.5; MATH references write percentages without the sign, so 50 matches too.
        Assert.True(MathAnswer.Equivalent(@"50\%", "0.5"));
        Assert.True(MathAnswer.Equivalent(@"50\%", "50"));
        Assert.False(MathAnswer.Equivalent(@"50\%", "5"));
    }

    [Theory]
    [MemberData(nameof(DifferentPairs))]
    public void Given_different_answers_then_not_equivalent(string gold, string candidate)
    {
        Assert.False(
            MathAnswer.Equivalent(gold, candidate),
            $"{MathAnswer.Canonical(gold)} vs {MathAnswer.Canonical(candidate)}"
        );
        Assert.False(MathAnswer.Equivalent(candidate, gold));
    }

    [Theory]
    [InlineData(@"\dfrac{1}{2}", "1/2")]
    [InlineData("0.5", "1/2")]
    [InlineData("7,425,000", "7425000")]
    [InlineData(@"\sqrt{18}", @"3\sqrt{2}")]
    [InlineData(@"\frac{1}{\sqrt{2}}", @"\sqrt{2}/2")]
    [InlineData(@"\frac{1+\sqrt{5}}{2}", @"1/2+\sqrt{5}/2")]
    [InlineData(@"50\%", "50")]
    [InlineData("3, 5, 7", @"\{3,5,7\}")]
    [InlineData(@"\left( 3, \frac{1}{2} \right)", "(3,1/2)")]
    [InlineData("x = 5", "x=5")]
    [InlineData(@"\text{Evelyn}", @"\text{evelyn}")]
    public void Given_answer_then_canonical_form_is_the_voting_key(string answer, string canonical) =>
        Assert.Equal(canonical, MathAnswer.Canonical(answer));
}
