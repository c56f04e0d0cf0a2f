using System.Numerics;

namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>
/// Exact values of constant trees built from rationals, + − × ÷, integer powers and square roots: a sum of
/// rational multiples of square roots of square-free integers, <c>Σ cᵢ√bᵢ</c>. In this form √18 = 3√2 and
/// 1/√2 = √2/2 are literally equal, and <see cref="RadicalSum.ToString"/> is the canonical text voting groups by.
/// Division is exact by a single term or by <c>p + q√b</c> (through its conjugate); anything else (π, a cube root,
/// a huge power) has no exact value here and is compared numerically.
/// </summary>
static class Exact
{
    const int MaxBits = 4096;
    const int MaxTerms = 16;

    /// <summary>The exact value of a constant tree, or null.</summary>
    public static RadicalSum? Value(Node node)
    {
        var value = node switch
        {
            Num n => RadicalSum.Of(n.Value),
            Add a => Fold(a.Terms, RadicalSum.Zero, (x, y) => x + y),
            Mul m => Fold(m.Factors, RadicalSum.One, (x, y) => x * y),
            Pow p => Power(p),
            Func { Name: "abs" } f => Value(f.Args[0]) is { IsRational: true } v
                ? RadicalSum.Of(Abs(v.Rational))
                : null,
            _ => null,
        };
        return value is not null && value.Fits(MaxTerms, MaxBits) ? value : null;
    }

    /// <summary>The exact rational value of a constant tree, or null.</summary>
    public static Rational? Rational(Node node) => Value(node) is { IsRational: true } v ? v.Rational : null;

    static Rational Abs(Rational r) => r.Numerator.Sign < 0 ? -r : r;

    static RadicalSum? Fold(IEnumerable<Node> nodes, RadicalSum seed, Func<RadicalSum, RadicalSum, RadicalSum?> op)
    {
        var acc = seed;
        foreach (var n in nodes)
        {
            var v = Value(n);
            if (v is null)
                return null;
            acc = op(acc, v);
            if (acc is null || !acc.Fits(MaxTerms, MaxBits))
                return null;
        }
        return acc;
    }

    static RadicalSum? Power(Pow p)
    {
        var exponent = Rational(p.Exponent);
        var b = Value(p.Base);
        if (exponent is not { } e || b is null)
            return null;
        if (e.Denominator == 2 && b.IsRational && b.Rational.Numerator.Sign >= 0)
            return Integer(RadicalSum.Sqrt(b.Rational), e.Numerator);
        return e.IsInteger ? Integer(b, e.Numerator) : null;
    }

    static RadicalSum? Integer(RadicalSum? b, BigInteger n)
    {
        if (b is null || BigInteger.Abs(n) > 256)
            return null;
        if (n < 0)
            return b.Reciprocal() is { } inverse ? Integer(inverse, -n) : null;
        var result = RadicalSum.One;
        for (var i = 0; i < (int)n; i++)
        {
            result = result * b;
            if (!result.Fits(MaxTerms, MaxBits))
                return null;
        }
        return result;
    }
}
