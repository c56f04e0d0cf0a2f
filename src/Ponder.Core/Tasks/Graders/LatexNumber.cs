using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>Reads a plain number written in LaTeX (after hendrycks normalisation): a decimal, <c>a/b</c>,
/// <c>\frac{a}{b}</c> (optionally negated), a mixed number <c>N\frac{a}{b}</c> with a &lt; b, or digits with
/// thousands separators. Used where only a number can be right (GSM8K, AIME).</summary>
static partial class LatexNumber
{
    public static bool TryParse(string answer, out Rational value) =>
        TryParseNormalized(MathNormalizer.Normalize(answer), out value);

    static bool TryParseNormalized(string s, out Rational value)
    {
        if (Thousands().IsMatch(s))
            s = s.Replace(",", "", StringComparison.Ordinal);
        if (Rational.TryParseQuotient(s, out value))
            return true;

        var fraction = Fraction().Match(s);
        if (!fraction.Success)
            return false;
        if (
            !Rational.TryParseDecimal(fraction.Groups[3].Value, out var top)
            || !Rational.TryParseDecimal(fraction.Groups[4].Value, out var bottom)
            || bottom.Numerator.IsZero
        )
        {
            return false;
        }

        value = new Rational(top.Numerator * bottom.Denominator, top.Denominator * bottom.Numerator);
        var whole = fraction.Groups[2].Value;
        if (whole.Length > 0)
        {
            // A mixed number only when it reads as one: whole part and a proper positive fraction.
            if (value.Numerator.Sign <= 0 || value.Numerator >= value.Denominator)
                return false;
            value += new Rational(BigInteger.Parse(whole, CultureInfo.InvariantCulture), 1);
        }
        if (fraction.Groups[1].Value == "-")
            value = -value;
        return true;
    }

    [GeneratedRegex(@"^-?\d{1,3}(,\d{3})+(\.\d+)?$")]
    private static partial Regex Thousands();

    [GeneratedRegex(@"^(-?)(\d*)\\frac\{(-?[\d.]+)\}\{(-?[\d.]+)\}$")]
    private static partial Regex Fraction();
}
