using System.Globalization;
using Xunit.Abstractions;

namespace Ponder.Tests.Tasks.Graders;

/// <summary>Ponder's math grader against the verdicts of Math-Verify's own test tables (the field's reference
/// grader), ported as data in Fixtures/math-verify.</summary>
public sealed class MathVerifyAgreementTests(ITestOutputHelper output)
{
    static readonly IReadOnlyList<MathVerifyCase> Cases = MathVerifyCase.All();

    [Fact]
    public void Given_math_verify_cases_Then_agreement_is_at_least_95_percent_with_no_false_positive()
    {
        var results = Cases.Select(c => (Case: c, Ponder: c.Ponder())).ToList();
        var agree = results.Count(r => r.Ponder == r.Case.Expected);
        var falsePositives = results.Where(r => r.Ponder && !r.Case.Expected).Select(r => r.Case.Id).ToList();
        var falseNegatives = results.Where(r => !r.Ponder && r.Case.Expected).Select(r => r.Case.Id).ToList();
        var percent = 100.0 * agree / results.Count;
        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Math-Verify cases: {results.Count}, agree: {agree} ({percent:F1} %), "
                    + $"Ponder-only equivalent (false positives): {falsePositives.Count}, "
                    + $"Math-Verify-only equivalent: {falseNegatives.Count}"
            )
        );
        foreach (var id in falsePositives.Concat(falseNegatives))
            output.WriteLine("  disagrees: " + id);

        Assert.Empty(falsePositives); // a false positive is a reward for a wrong answer
        Assert.True(percent >= 95, $"agreement {percent:F1} % is below 95 %");
    }

    [Fact]
    public void Given_the_documented_disagreements_Then_they_are_exactly_the_cases_that_disagree()
    {
        var documented = MathVerifyCase.Disagreements();
        var actual = Cases.Where(c => c.Ponder() != c.Expected).Select(c => c.Id).ToHashSet();

        Assert.Empty(actual.Except(documented.Keys).Order()); // undocumented disagreements
        Assert.Empty(documented.Keys.Except(actual).Order()); // documented cases that now agree
        Assert.All(documented.Values, why => Assert.False(string.IsNullOrWhiteSpace(why)));
    }
}
