using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>
/// Equivalence of MATH answers: hendrycks <c>is_equiv</c> string normalisation (<see cref="MathNormalizer"/>) plus
/// Math-Verify-like structure, all expressed as ONE canonical form so grading and voting agree:
/// <list type="bullet">
/// <item>numbers (integers, decimals, <c>\frac{a}{b}</c>, <c>a/b</c>, mixed <c>1\frac{4}{5}</c>, thousands separators
/// <c>7,425,000</c>, percent = its number: <c>50\%</c> = 50) become an exact reduced fraction, "1/2" or "25";</item>
/// <item>tuples and intervals compare element-wise and keep their brackets (<c>(1,2]</c> ≠ <c>(1,2)</c>);</item>
/// <item>sets <c>\{…\}</c> and bare lists <c>3, 5, 7</c> are order-insensitive (both become a sorted set);</item>
/// <item>unions <c>A\cup B</c> and matrices compare part by part;</item>
/// <item>everything else (radicals, <c>\pi</c>, expressions) compares as the normalised string: <c>2\sqrt{2}</c> ≠
/// <c>\sqrt{8}</c> (conservative), <c>4</c> ≠ <c>4\sqrt{2}</c>, no rounding (<c>0.333</c> ≠ <c>\frac{1}{3}</c>).</item>
/// </list>
/// </summary>
public static partial class MathAnswer
{
    /// <summary>Whether <paramref name="candidate"/> states the same answer as <paramref name="gold"/>. An empty
    /// candidate is never equivalent.</summary>
    public static bool Equivalent(string gold, string candidate)
    {
        var canonical = Canonical(candidate);
        return canonical.Length > 0 && canonical == Canonical(gold);
    }

    /// <summary>The canonical form: the voting key, equal exactly when two answers are equivalent.</summary>
    public static string Canonical(string answer) => CanonicalOfNormalized(MathNormalizer.Normalize(answer));

    /// <summary>The exact value when <paramref name="answer"/> is a plain number, fraction, decimal or
    /// percent.</summary>
    public static bool TryNumber(string answer, out Rational value) =>
        TryParseNumber(MathNormalizer.Normalize(answer), out value);

    static string CanonicalOfNormalized(string s)
    {
        if (s.Length == 0)
            return s;
        if (TryParseNumber(s, out var number))
            return number.ToString();

        var matrix = Matrix().Match(s);
        if (matrix.Success)
        {
            var rows = Latex
                .SplitTopLevel(matrix.Groups[2].Value, @"\\")
                .Select(row => string.Join("&", Latex.SplitTopLevel(row, "&").Select(CanonicalOfNormalized)));
            return $@"\begin{{{matrix.Groups[1].Value}}}{string.Join(@"\\", rows)}\end{{{matrix.Groups[1].Value}}}";
        }

        var union = Latex.SplitTopLevel(s, @"\cup");
        if (union.Count > 1)
            return string.Join(@"\cup", union.Select(CanonicalOfNormalized));

        if (
            s.StartsWith(@"\{", StringComparison.Ordinal)
            && s.EndsWith(@"\}", StringComparison.Ordinal)
            && Latex.MatchingBrace(s, 1) == s.Length - 1
        )
        {
            return SetOf(Latex.SplitTopLevel(s[2..^2], ","));
        }

        if (s[0] is '(' or '[' && s[^1] is ')' or ']' && Latex.MatchingBrace(s, 0, anyKind: true) == s.Length - 1)
        {
            var elements = Latex.SplitTopLevel(s[1..^1], ",");
            if (elements.Count > 1)
                return s[0] + string.Join(",", elements.Select(CanonicalOfNormalized)) + s[^1];
        }

        var list = Latex.SplitTopLevel(s, ",");
        return list.Count > 1 ? SetOf(list) : s;
    }

    static string SetOf(IEnumerable<string> elements) =>
        @"\{" + string.Join(",", elements.Select(CanonicalOfNormalized).Order(StringComparer.Ordinal)) + @"\}";

    /// <summary>Parses a normalised plain number: decimal, <c>a/b</c>, <c>\frac{a}{b}</c> (optionally negated), a mixed
    /// number <c>N\frac{a}{b}</c> with a &lt; b, or digits with thousands separators.</summary>
    static bool TryParseNumber(string s, out Rational value)
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
            value += new Rational(
                System.Numerics.BigInteger.Parse(whole, System.Globalization.CultureInfo.InvariantCulture),
                1
            );
        }
        if (fraction.Groups[1].Value == "-")
            value = -value;
        return true;
    }

    [GeneratedRegex(@"^-?\d{1,3}(,\d{3})+(\.\d+)?$")]
    private static partial Regex Thousands();

    [GeneratedRegex(@"^(-?)(\d*)\\frac\{(-?[\d.]+)\}\{(-?[\d.]+)\}$")]
    private static partial Regex Fraction();

    [GeneratedRegex(@"^\\begin\{([pbv]?matrix)\}(.*)\\end\{\1\}$")]
    private static partial Regex Matrix();
}
