using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>An exact fraction (reduced, denominator positive) so 0.5, 1/2 and \frac{1}{2} compare and vote as
/// one.</summary>
public readonly partial record struct Rational
{
    /// <summary>The numerator; carries the sign.</summary>
    public BigInteger Numerator { get; }

    /// <summary>The denominator; always ≥ 1.</summary>
    public BigInteger Denominator { get; }

    /// <summary>Creates <paramref name="numerator"/>/<paramref name="denominator"/> in lowest terms.</summary>
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
            throw new DivideByZeroException("a rational needs a non-zero denominator");
        if (denominator.Sign < 0)
            (numerator, denominator) = (-numerator, -denominator);
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsZero && !gcd.IsOne)
            (numerator, denominator) = (numerator / gcd, denominator / gcd);
        Numerator = numerator;
        Denominator = denominator;
    }

    /// <summary>Whether the value is a whole number.</summary>
    public bool IsInteger => Denominator.IsOne;

    /// <summary>"-3" for integers, "-3/8" otherwise: the canonical number form used for voting.</summary>
    public override string ToString() =>
        IsInteger
            ? Numerator.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");

    /// <summary>Parses a plain decimal: "-12", "0.50", ".5", "5." (no exponent, no separators).</summary>
    public static bool TryParseDecimal(string text, out Rational value)
    {
        value = default;
        var match = DecimalPattern().Match(text);
        if (!match.Success)
            return false;
        var whole = match.Groups[2].Value;
        var fraction = match.Groups[3].Value;
        if (whole.Length == 0 && fraction.Length == 0)
            return false;
        var digits = BigInteger.Parse("0" + whole + fraction, CultureInfo.InvariantCulture);
        var scale = BigInteger.Pow(10, fraction.Length);
        value = new Rational(match.Groups[1].Value == "-" ? -digits : digits, scale);
        return true;
    }

    /// <summary>Parses a decimal or a quotient of two decimals ("3/8", "-1.5/2"); a zero denominator is not a
    /// number.</summary>
    public static bool TryParseQuotient(string text, out Rational value)
    {
        value = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return TryParseDecimal(text, out value);
        if (!TryParseDecimal(text[..slash], out var top) || !TryParseDecimal(text[(slash + 1)..], out var bottom))
            return false;
        if (bottom.Numerator.IsZero)
            return false;
        value = new Rational(top.Numerator * bottom.Denominator, top.Denominator * bottom.Numerator);
        return true;
    }

    /// <summary>The sum of two rationals (used for mixed numbers like 1\frac{4}{5}).</summary>
    public static Rational operator +(Rational a, Rational b) =>
        new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    /// <summary>Same as <c>+</c>, for languages without operators.</summary>
    public static Rational Add(Rational a, Rational b) => a + b;

    /// <summary>The negation.</summary>
    public static Rational operator -(Rational a) => new(-a.Numerator, a.Denominator);

    /// <summary>Same as unary <c>-</c>, for languages without operators.</summary>
    public static Rational Negate(Rational a) => -a;

    /// <summary>The difference.</summary>
    public static Rational operator -(Rational a, Rational b) => a + -b;

    /// <summary>Same as <c>-</c>, for languages without operators.</summary>
    public static Rational Subtract(Rational a, Rational b) => a - b;

    /// <summary>The product.</summary>
    public static Rational operator *(Rational a, Rational b) =>
        new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <summary>Same as <c>*</c>, for languages without operators.</summary>
    public static Rational Multiply(Rational a, Rational b) => a * b;

    /// <summary>The quotient; throws <see cref="DivideByZeroException"/> when <paramref name="b"/> is 0.</summary>
    public static Rational operator /(Rational a, Rational b) =>
        new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    /// <summary>Same as <c>/</c>, for languages without operators.</summary>
    public static Rational Divide(Rational a, Rational b) => a / b;

    /// <summary>Whether the value is 0.</summary>
    public bool IsZero => Numerator.IsZero;

    /// <summary>The nearest double (may be infinite for huge values).</summary>
    public double ToDouble()
    {
        double n = (double)Numerator,
            d = (double)Denominator;
        if (!double.IsInfinity(n) && !double.IsInfinity(d))
            return n / d;
        return Numerator.IsZero
            ? 0
            : Math.Exp(BigInteger.Log(BigInteger.Abs(Numerator)) - BigInteger.Log(Denominator)) * Numerator.Sign;
    }

    /// <summary>The sign comparison of two rationals: negative, zero or positive.</summary>
    public static int Compare(Rational a, Rational b) =>
        (a.Numerator * b.Denominator).CompareTo(b.Numerator * a.Denominator);

    [GeneratedRegex(@"^([-+]?)(\d*)\.?(\d*)$")]
    private static partial Regex DecimalPattern();
}
