using System.Globalization;
using System.Numerics;
using System.Text;

namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>
/// The expanded form of a polynomial with rational coefficients — <c>(x+1)^2</c> and <c>x^2+2x+1</c> both become
/// <c>x^{2}+2*x+1</c> — used as a voting key: two trees with the same expanded form are the same function. Trees with
/// anything else (division by a variable, roots, functions, constants like π) have no such form here.
/// </summary>
static class Polynomial
{
    const int MaxTerms = 64;
    const int MaxPower = 16;

    /// <summary>The imaginary unit is kept as a factor with i² = −1, so 6 − 5i and −5i + 6 share a key.</summary>
    const string ImaginaryUnit = "i";

    static readonly Rational Zero = new(0, 1);
    static readonly Rational One = new(1, 1);

    /// <summary>The expanded text, or null when the tree is not such a polynomial (or too large to expand).</summary>
    public static string? Expand(Node node)
    {
        var terms = Of(node);
        return terms is null ? null : Text(terms);
    }

    static Dictionary<string, Rational>? Of(Node node) =>
        node switch
        {
            Num n => Constant(n.Value),
            Sym s => new() { [Power(s.Name, 1)] = One },
            Const { Name: "i" } => new() { [Power(ImaginaryUnit, 1)] = One },
            Add a => Fold(a.Terms, Constant(Zero), Sum),
            Mul m => Fold(m.Factors, Constant(One), Product),
            Pow p => Raise(p),
            _ => null,
        };

    static Dictionary<string, Rational> Constant(Rational r) => r.IsZero ? [] : new() { [""] = r };

    static Dictionary<string, Rational>? Fold(
        IEnumerable<Node> parts,
        Dictionary<string, Rational> seed,
        Func<Dictionary<string, Rational>, Dictionary<string, Rational>, Dictionary<string, Rational>> op
    )
    {
        var acc = seed;
        foreach (var part in parts)
        {
            var value = Of(part);
            if (value is null)
                return null;
            acc = op(acc, value);
            if (acc.Count > MaxTerms)
                return null;
        }
        return acc;
    }

    static Dictionary<string, Rational>? Raise(Pow p)
    {
        if (Exact.Rational(p.Exponent) is not { IsInteger: true } e)
            return null;
        var b = Of(p.Base);
        if (b is null)
            return null;
        if (e.Numerator < 0)
        {
            // Only a constant may be divided by: 1/4·x is a polynomial, 1/x is not.
            if (b.Count != 1 || !b.TryGetValue("", out var c) || e.Numerator < -MaxPower)
                return null;
            return Constant(Rational.Divide(One, Pow(c, (int)(-e.Numerator))));
        }
        if (e.Numerator > MaxPower)
            return null;
        var result = Constant(One);
        for (var i = 0; i < (int)e.Numerator && result.Count <= MaxTerms; i++)
            result = Product(result, b);
        return result.Count <= MaxTerms ? result : null;
    }

    static Rational Pow(Rational r, int n)
    {
        var result = One;
        for (var i = 0; i < n; i++)
            result *= r;
        return result;
    }

    static Dictionary<string, Rational> Sum(Dictionary<string, Rational> a, Dictionary<string, Rational> b)
    {
        var sum = new Dictionary<string, Rational>(a, StringComparer.Ordinal);
        foreach (var (m, c) in b)
            AddTerm(sum, m, c);
        return sum;
    }

    static Dictionary<string, Rational> Product(Dictionary<string, Rational> a, Dictionary<string, Rational> b)
    {
        var product = new Dictionary<string, Rational>(StringComparer.Ordinal);
        foreach (var (ma, ca) in a)
        {
            foreach (var (mb, cb) in b)
            {
                var (monomial, sign) = Multiply(ma, mb);
                AddTerm(product, monomial, sign < 0 ? -(ca * cb) : ca * cb);
            }
        }
        return product;
    }

    static void AddTerm(Dictionary<string, Rational> terms, string monomial, Rational c)
    {
        var total = terms.TryGetValue(monomial, out var old) ? old + c : c;
        if (total.IsZero)
            terms.Remove(monomial);
        else
            terms[monomial] = total;
    }

    /// <summary>A monomial's key: "name^exponent" factors joined by spaces, sorted by name.</summary>
    static string Power(string name, int exponent) => string.Create(CultureInfo.InvariantCulture, $"{name}^{exponent}");

    static (string Monomial, int Sign) Multiply(string a, string b)
    {
        var exponents = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var factor in (a + " " + b).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var caret = factor.LastIndexOf('^');
            var name = factor[..caret];
            var exponent = int.Parse(factor[(caret + 1)..], CultureInfo.InvariantCulture);
            exponents[name] = exponents.GetValueOrDefault(name) + exponent;
        }
        var sign = 1;
        if (exponents.TryGetValue(ImaginaryUnit, out var k))
        {
            // i^k: 1, i, −1, −i for k mod 4 = 0, 1, 2, 3.
            sign = k % 4 >= 2 ? -1 : 1;
            if (k % 2 == 0)
                exponents.Remove(ImaginaryUnit);
            else
                exponents[ImaginaryUnit] = 1;
        }
        return (string.Join(" ", exponents.Select(x => Power(x.Key, x.Value))), sign);
    }

    static int Degree(string monomial) =>
        monomial
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Sum(f => int.Parse(f[(f.LastIndexOf('^') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>Terms by falling degree, then by monomial: <c>x^{2}+2*x+1</c>, <c>1/2*a*b^{3}-5</c>.</summary>
    static string Text(Dictionary<string, Rational> terms)
    {
        if (terms.Count == 0)
            return "0";
        var text = new StringBuilder();
        var ordered = terms.OrderByDescending(t => Degree(t.Key)).ThenBy(t => t.Key, StringComparer.Ordinal);
        foreach (var (monomial, c) in ordered)
        {
            var term = Term(monomial, c);
            if (text.Length > 0 && !term.StartsWith('-'))
                text.Append('+');
            text.Append(term);
        }
        return text.ToString();
    }

    static string Term(string monomial, Rational c)
    {
        var factors = monomial
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f =>
            {
                var caret = f.LastIndexOf('^');
                var name = Printer.Name(f[..caret]);
                var exponent = f[(caret + 1)..];
                return exponent == "1" ? name : name + "^{" + exponent + "}";
            })
            .ToList();
        if (factors.Count == 0)
            return c.ToString();
        var variables = string.Join("*", factors);
        if (c == One)
            return variables;
        return c == -One ? "-" + variables : c + "*" + variables;
    }
}
