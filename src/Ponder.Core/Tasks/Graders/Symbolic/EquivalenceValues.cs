using System.Numerics;

namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>Sets and values for <see cref="Equivalence"/>.</summary>
sealed partial class Equivalence
{
    /// <summary>Math-Verify's <c>sympy_compare_sets</c>: a non-set is a one-element set; intervals compare bounds
    /// and brackets; a pair (an open interval) against a two-element list or tuple compares as a tuple; finite sets
    /// compare in any order; a tuple against a list compares in the list's written order.</summary>
    bool CompareSets(Node gold, Node pred)
    {
        var a = IsSetLike(gold) ? gold : new Seq(SeqKind.List, [gold]);
        var b = IsSetLike(pred) ? pred : new Seq(SeqKind.List, [pred]);
        if (IsInterval(a) && IsInterval(b))
            return Intervals((Seq)a, (Seq)b);
        if (Printer.Print(a) == Printer.Print(b))
            return true;
        if (a is Union || b is Union)
            return Unions(a, b);
        if (a is Seq sa && b is Seq sb)
            return Elements(sa, sb);
        return false;
    }

    static bool IsInterval(Node n) => n is Seq { Kind: SeqKind.Interval or SeqKind.Pair };

    bool Intervals(Seq a, Seq b) =>
        a.Open == b.Open && a.Close == b.Close && Equal(a.Items[0], b.Items[0]) && Equal(a.Items[1], b.Items[1]);

    bool Unions(Node a, Node b)
    {
        var pa = a is Union ua ? ua.Parts : [a];
        var pb = b is Union ub ? ub.Parts : [b];
        return pa.Count == pb.Count && Matching(pa, pb, (x, y) => Equal(x, y));
    }

    bool Elements(Seq gold, Seq pred)
    {
        if (gold.Kind == SeqKind.Interval || pred.Kind == SeqKind.Interval)
            return false;
        var g = gold.Kind is SeqKind.List or SeqKind.Set ? Distinct(gold.Items) : gold.Items;
        var p = pred.Kind is SeqKind.List or SeqKind.Set ? Distinct(pred.Items) : pred.Items;
        if (g.Count != p.Count)
            return false;
        // A gold tuple fixes the order (a predicted list is read in its written order); a gold set does not.
        if (gold.Kind is SeqKind.Tuple or SeqKind.Pair)
            return g.Zip(p).All(x => Equal(x.First, x.Second));
        return Matching(g, p, (x, y) => Equal(x, y));
    }

    /// <summary>A set's elements without repeats: the same print or the same exact value (15\frac{39}{40} and
    /// \frac{639}{40} are one element).</summary>
    static List<Node> Distinct(IReadOnlyList<Node> items) =>
        items.DistinctBy(n => Exact.Value(n)?.ToString() ?? Printer.Print(n), StringComparer.Ordinal).ToList();

    /// <summary>Whether every gold element can be paired with its own predicted element (bipartite matching by
    /// augmenting paths; sets are small).</summary>
    bool Matching(IReadOnlyList<Node> gold, IReadOnlyList<Node> pred, Func<Node, Node, bool> equal)
    {
        var edges = new bool[gold.Count][];
        for (var i = 0; i < gold.Count; i++)
            edges[i] = pred.Select(p => equal(gold[i], p)).ToArray();
        var owner = Enumerable.Repeat(-1, pred.Count).ToArray();
        for (var i = 0; i < gold.Count; i++)
        {
            if (!Augment(i, edges, owner, new bool[pred.Count]))
                return false;
        }
        return true;
    }

    bool Augment(int i, bool[][] edges, int[] owner, bool[] seen)
    {
        clock.Check();
        for (var j = 0; j < owner.Length; j++)
        {
            if (!edges[i][j] || seen[j])
                continue;
            seen[j] = true;
            if (owner[j] < 0 || Augment(owner[j], edges, owner, seen))
            {
                owner[j] = i;
                return true;
            }
        }
        return false;
    }

    bool Values(Node gold, Node pred)
    {
        if (gold is Matrix || pred is Matrix)
        {
            return gold is Matrix a
                && pred is Matrix b
                && a.Rows.Count == b.Rows.Count
                && a.Rows[0].Count == b.Rows[0].Count
                && a.Rows.Zip(b.Rows).All(r => r.First.Zip(r.Second).All(x => Equal(x.First, x.Second)));
        }
        if (gold is PlusMinus || pred is PlusMinus)
            return false;
        if (IsDecimalNumber(gold) || IsDecimalNumber(pred))
            return Rounded(gold) is { } x && Rounded(pred) is { } y && x == y;
        if (Printer.Variables(gold).Count == 0 && Printer.Variables(pred).Count == 0)
            return SameConstant(gold, pred);
        return Identity(gold, pred);
    }

    static bool IsDecimalNumber(Node n) => n is Num { IsDecimal: true } or Percent { Value: Num { IsDecimal: true } };

    /// <summary>The value rounded to the configured decimal places, as text (exact when the value is rational);
    /// null when it is not a finite real number.</summary>
    string? Rounded(Node n)
    {
        var scale = BigInteger.Pow(10, places);
        if (Exact.Rational(n) is { } r)
        {
            var scaled = r * new Rational(scale, 1);
            var half = new Rational(scaled.Numerator.Sign < 0 ? -1 : 1, 2);
            return BigInteger.Divide((scaled + half).Numerator, (scaled + half).Denominator).ToString();
        }
        var v = Evaluator.Evaluate(n, _ => double.NaN);
        if (!Finite(v) || Math.Abs(v.Imaginary) > 1e-12 * Math.Max(1, v.Magnitude))
            return null;
        var rounded = Math.Round(v.Real * (double)scale, MidpointRounding.AwayFromZero);
        return Math.Abs(rounded) < 9e15
            ? ((long)rounded).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    static bool SameConstant(Node gold, Node pred)
    {
        if (Exact.Value(gold) is { } a && Exact.Value(pred) is { } b)
            return a.ToString() == b.ToString();
        var x = Evaluator.Evaluate(gold, _ => double.NaN);
        var y = Evaluator.Evaluate(pred, _ => double.NaN);
        return Close(x, y, 1e-10);
    }

    bool Identity(Node gold, Node pred)
    {
        var valid = 0;
        for (var point = 0; point < Points; point++)
        {
            clock.Check();
            var (a, b) = (At(gold, point), At(pred, point));
            if (!Finite(a) && !Finite(b))
                continue;
            if (!Close(a, b, 1e-8))
                return false;
            valid++;
        }
        return valid >= 3;
    }
}
