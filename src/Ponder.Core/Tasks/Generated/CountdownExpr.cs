using System.Globalization;

namespace Ponder.Tasks.Generated;

/// <summary>
/// A countdown expression tree over the problem's numbers. Operations always put the larger value on the left
/// (<c>Left ≥ Right</c>), so − and ÷ never go negative or fractional. A reference type: a search state holds nodes and
/// finds them by reference, so two equal numbers stay distinct.
/// </summary>
sealed class CountdownExpr
{
    CountdownExpr(long value, char op, CountdownExpr? left, CountdownExpr? right)
    {
        Value = value;
        Op = op;
        Left = left;
        Right = right;
    }

    public long Value { get; }

    /// <summary>One of + - * /, or '\0' for a number of the problem.</summary>
    public char Op { get; }

    public CountdownExpr? Left { get; }

    public CountdownExpr? Right { get; }

    public static CountdownExpr Number(long value) => new(value, '\0', null, null);

    /// <summary>The results of combining two values under the rules: positive integers only (a−b needs a &gt; b,
    /// a÷b needs b | a). The larger operand goes on the left.</summary>
    public static IEnumerable<CountdownExpr> Combine(CountdownExpr p, CountdownExpr q)
    {
        var (hi, lo) = p.Value >= q.Value ? (p, q) : (q, p);
        yield return new(hi.Value + lo.Value, '+', hi, lo);
        yield return new(hi.Value * lo.Value, '*', hi, lo);
        if (hi.Value > lo.Value)
            yield return new(hi.Value - lo.Value, '-', hi, lo);
        if (hi.Value % lo.Value == 0)
            yield return new(hi.Value / lo.Value, '/', hi, lo);
    }

    /// <summary>The step that made this node, as a trace writes it: <c>12+5=17</c>.</summary>
    public string Step() => $"{Left!.Value}{Op}{Right!.Value}={Value}";

    /// <summary>The steps of this tree in the order a pairwise search performs them (post-order).</summary>
    public IEnumerable<CountdownExpr> Steps()
    {
        if (Op == '\0')
            yield break;
        foreach (var step in Left!.Steps().Concat(Right!.Steps()))
            yield return step;
        yield return this;
    }

    /// <summary>Infix with the fewest parentheses: <c>(12+5)*3-10</c>.</summary>
    public override string ToString() => Print(this, 0, rightOfMinusOrDivide: false);

    static string Print(CountdownExpr e, int parentPrecedence, bool rightOfMinusOrDivide)
    {
        if (e.Op == '\0')
            return e.Value.ToString(CultureInfo.InvariantCulture);
        int precedence = e.Op is '+' or '-' ? 1 : 2;
        string text = Print(e.Left!, precedence, false) + e.Op + Print(e.Right!, precedence, e.Op is '-' or '/');
        bool parens = precedence < parentPrecedence || (precedence == parentPrecedence && rightOfMinusOrDivide);
        return parens ? "(" + text + ")" : text;
    }
}
