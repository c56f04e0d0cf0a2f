using System.Globalization;
using System.Numerics;
using System.Text;

namespace Ponder.Tasks.Graders.Symbolic;

/// <summary><c>Σ cᵢ√bᵢ</c> with rational cᵢ ≠ 0 and distinct square-free bᵢ ≥ 1 (b = 1 is the rational part): a
/// canonical form, so two equal values have equal terms.</summary>
sealed class RadicalSum
{
    /// <summary>Radicands above this are not factored (trial division would be slow); their roots have no exact
    /// value.</summary>
    static readonly BigInteger MaxRadicand = BigInteger.Pow(10, 12);

    readonly SortedDictionary<BigInteger, Rational> terms;

    RadicalSum(SortedDictionary<BigInteger, Rational> terms) => this.terms = terms;

    public static RadicalSum Zero => new(new SortedDictionary<BigInteger, Rational>());

    public static RadicalSum One => Of(new Rational(1, 1));

    public static RadicalSum Of(Rational r) => r.IsZero ? Zero : new(new() { [BigInteger.One] = r });

    public bool IsRational => terms.Count == 0 || (terms.Count == 1 && terms.ContainsKey(BigInteger.One));

    public Rational Rational => terms.TryGetValue(BigInteger.One, out var r) ? r : new Rational(0, 1);

    public bool Fits(int maxTerms, int maxBits) =>
        terms.Count <= maxTerms
        && terms.All(t => t.Value.Numerator.GetBitLength() <= maxBits && t.Value.Denominator.GetBitLength() <= maxBits);

    /// <summary>√r for a rational r ≥ 0, or null when its radicand is too large to factor.</summary>
    public static RadicalSum? Sqrt(Rational r)
    {
        if (r.IsZero)
            return Zero;
        // √(p/q) = √(p·q)/q
        var n = r.Numerator * r.Denominator;
        if (n > MaxRadicand)
            return null;
        var (outside, inside) = SquareFree(n);
        return new(new() { [inside] = new Rational(outside, r.Denominator) });
    }

    /// <summary>n = outside²·inside with inside square-free (n ≤ 10¹²: after trial division by every d ≤ 10⁴ the
    /// rest has at most two prime factors, so it is square-free unless it is a square).</summary>
    static (BigInteger Outside, BigInteger Inside) SquareFree(BigInteger n)
    {
        BigInteger outside = 1,
            inside = 1;
        for (BigInteger d = 2; d <= 10_000 && d * d <= n; d++)
        {
            while (n % (d * d) == 0)
            {
                n /= d * d;
                outside *= d;
            }
            if (n % d == 0)
            {
                n /= d;
                inside *= d;
            }
        }
        var root = IntegerSqrt(n);
        if (root * root == n && n > 1)
            return (outside * root, inside);
        return (outside, inside * n);
    }

    static BigInteger IntegerSqrt(BigInteger n)
    {
        var x = (BigInteger)Math.Sqrt((double)n);
        while (x * x > n)
            x--;
        while ((x + 1) * (x + 1) <= n)
            x++;
        return x;
    }

    public static RadicalSum operator +(RadicalSum a, RadicalSum b)
    {
        var sum = new SortedDictionary<BigInteger, Rational>(a.terms);
        foreach (var (radicand, c) in b.terms)
            AddTerm(sum, radicand, c);
        return new(sum);
    }

    public static RadicalSum operator *(RadicalSum a, RadicalSum b)
    {
        var product = new SortedDictionary<BigInteger, Rational>();
        foreach (var (ra, ca) in a.terms)
        {
            foreach (var (rb, cb) in b.terms)
            {
                // √a·√b = g·√((a/g)(b/g)) with g = gcd(a, b); the product stays square-free.
                var g = BigInteger.GreatestCommonDivisor(ra, rb);
                AddTerm(product, ra / g * (rb / g), ca * cb * new Rational(g, 1));
            }
        }
        return new(product);
    }

    static void AddTerm(SortedDictionary<BigInteger, Rational> terms, BigInteger radicand, Rational c)
    {
        var total = terms.TryGetValue(radicand, out var old) ? old + c : c;
        if (total.IsZero)
            terms.Remove(radicand);
        else
            terms[radicand] = total;
    }

    /// <summary>1/this when this is one term c√b or p + q√b; null otherwise (or for zero).</summary>
    public RadicalSum? Reciprocal()
    {
        if (terms.Count == 1)
        {
            var (b, c) = terms.First();
            // 1/(c√b) = √b/(c·b)
            return new(new() { [b] = new Rational(1, 1) / (c * new Rational(b, 1)) });
        }
        if (terms.Count != 2 || !terms.TryGetValue(BigInteger.One, out var p))
            return null;
        var (radicand, q) = terms.Last();
        // 1/(p + q√b) = (p − q√b)/(p² − q²b)
        var norm = p * p - q * q * new Rational(radicand, 1);
        if (norm.IsZero)
            return null;
        var conjugate = new SortedDictionary<BigInteger, Rational> { [BigInteger.One] = p / norm };
        conjugate[radicand] = -q / norm;
        return new(conjugate);
    }

    /// <summary>Rational part first, then radicals by radicand: <c>1/2+\sqrt{5}/2</c>, <c>3\sqrt{2}</c>,
    /// <c>-\sqrt{3}</c>.</summary>
    public override string ToString()
    {
        if (terms.Count == 0)
            return "0";
        var text = new StringBuilder();
        foreach (var (b, c) in terms)
        {
            var term = b.IsOne ? c.ToString() : RadicalTerm(b, c);
            if (text.Length > 0 && !term.StartsWith('-'))
                text.Append('+');
            text.Append(term);
        }
        return text.ToString();
    }

    static string RadicalTerm(BigInteger b, Rational c)
    {
        var n = c.Numerator;
        var prefix =
            n.IsOne ? ""
            : n == BigInteger.MinusOne ? "-"
            : n.ToString(CultureInfo.InvariantCulture);
        var root = string.Create(CultureInfo.InvariantCulture, $@"\sqrt{{{b}}}");
        return c.Denominator.IsOne
            ? prefix + root
            : string.Create(CultureInfo.InvariantCulture, $"{prefix}{root}/{c.Denominator}");
    }

    /// <summary>The value as a double.</summary>
    public double ToDouble() => terms.Sum(t => t.Value.ToDouble() * Math.Sqrt((double)t.Key));
}
