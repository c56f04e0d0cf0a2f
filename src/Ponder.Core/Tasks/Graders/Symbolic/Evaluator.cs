using System.Numerics;

namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>
/// Evaluates a scalar tree in complex double arithmetic, with variables taken from a function. Anything that is not a
/// number (a set, a relation, an opaque sum) evaluates to NaN, as does a factorial out of range. An odd root of a
/// negative real is the real root (<c>\sqrt[3]{-8}</c> = −2), as a reader means it; otherwise roots are principal.
/// </summary>
static class Evaluator
{
    static readonly Complex Nan = new(double.NaN, double.NaN);

    public static Complex Evaluate(Node node, Func<string, Complex> variable) =>
        node switch
        {
            Num n => n.Value.ToDouble(),
            Sym s => variable(s.Name),
            Phrase t => variable("text:" + t.Value.ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal)),
            Numeral n => variable($"numeral:{n.Digits}_{n.Base}"),
            Const c => ConstantValue(c),
            Add a => a.Terms.Aggregate(Complex.Zero, (sum, t) => sum + Evaluate(t, variable)),
            Mul m => m.Factors.Aggregate(Complex.One, (product, f) => product * Evaluate(f, variable)),
            Pow p => Power(p, variable),
            Func f => Function(f, variable),
            Percent p => Evaluate(p.Value, variable) / 100,
            _ => Nan,
        };

    static Complex ConstantValue(Const c) =>
        c.Name switch
        {
            "pi" => Math.PI,
            "e" => Math.E,
            "i" => Complex.ImaginaryOne,
            "inf" => double.PositiveInfinity,
            _ => Nan,
        };

    static Complex Power(Pow p, Func<string, Complex> variable)
    {
        var b = Evaluate(p.Base, variable);
        if (Exact.Rational(p.Exponent) is { } r)
        {
            if (r.IsInteger && BigInteger.Abs(r.Numerator) <= 64)
                return IntegerPower(b, (int)r.Numerator);
            if (b.Imaginary == 0 && b.Real < 0 && !r.Denominator.IsEven && BigInteger.Abs(r.Numerator) <= 64)
            {
                // Real odd root: (−8)^(1/3) = −2, and (−8)^(2/3) = 4.
                var root = -Math.Pow(-b.Real, 1.0 / (double)r.Denominator);
                return IntegerPower(root, (int)r.Numerator);
            }
        }
        var e = Evaluate(p.Exponent, variable);
        if (b == Complex.Zero)
            return e.Real > 0 ? Complex.Zero : Nan;
        return Complex.Pow(b, e);
    }

    static Complex IntegerPower(Complex b, int n)
    {
        if (n < 0)
            return b == Complex.Zero ? Nan : Complex.One / IntegerPower(b, -n);
        var result = Complex.One;
        for (var i = 0; i < n; i++)
            result *= b;
        return result;
    }

    static Complex Function(Func f, Func<string, Complex> variable)
    {
        if (f.Name is "sum" or "prod")
            return Nan;
        var args = f.Args.Select(a => Evaluate(a, variable)).ToArray();
        if (f.Name.StartsWith("fn:", StringComparison.Ordinal))
            return Undefined(f.Name, args);
        var x = args.Length > 0 ? args[0] : Nan;
        return f.Name switch
        {
            "sin" => Complex.Sin(x),
            "cos" => Complex.Cos(x),
            "tan" => Complex.Tan(x),
            "sec" => 1 / Complex.Cos(x),
            "csc" => 1 / Complex.Sin(x),
            "cot" => 1 / Complex.Tan(x),
            "asin" => Complex.Asin(x),
            "acos" => Complex.Acos(x),
            "atan" => Complex.Atan(x),
            "sinh" => Complex.Sinh(x),
            "cosh" => Complex.Cosh(x),
            "tanh" => Complex.Tanh(x),
            "exp" => Complex.Exp(x),
            "log" => Complex.Log(x),
            "logb" when args.Length == 2 => Complex.Log(args[1]) / Complex.Log(args[0]),
            "abs" => Complex.Abs(x),
            "floor" => Real(x, Math.Floor),
            "ceil" => Real(x, Math.Ceiling),
            "factorial" => Factorial(x),
            "binom" when args.Length == 2 => Binomial(args[0], args[1]),
            _ => Nan,
        };
    }

    static Complex Real(Complex x, Func<double, double> f) => x.Imaginary == 0 ? f(x.Real) : Nan;

    static Complex Factorial(Complex x)
    {
        if (x.Imaginary != 0 || x.Real < 0 || x.Real > 170 || x.Real != Math.Floor(x.Real))
            return Nan;
        double result = 1;
        for (var k = 2; k <= (int)x.Real; k++)
            result *= k;
        return result;
    }

    static Complex Binomial(Complex n, Complex k)
    {
        if (n.Imaginary != 0 || k.Imaginary != 0 || k.Real != Math.Floor(k.Real) || k.Real < 0 || k.Real > 170)
            return Nan;
        double result = 1;
        for (var j = 0; j < (int)k.Real; j++)
            result = result * (n.Real - j) / (j + 1);
        return result;
    }

    /// <summary>An undefined function f(x) as a fixed smooth function chosen by its name, so f(x) = f(x) and
    /// f(x) ≠ f(y) under identity testing.</summary>
    static Complex Undefined(string name, Complex[] args)
    {
        var seed = Hash.Of(name);
        var result = Complex.Zero;
        for (var k = 0; k < args.Length; k++)
        {
            var a = 0.5 + Hash.Unit(seed, 2 * k);
            var b = Hash.Unit(seed, 2 * k + 1) * 3;
            result += Complex.Sin(a * args[k] + b) + a * args[k] * args[k] / (k + 2);
        }
        return result;
    }
}
