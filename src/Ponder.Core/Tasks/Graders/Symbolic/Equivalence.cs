using System.Numerics;

namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>
/// Whether a predicted answer equals a gold answer, following Math-Verify's <c>sympy_expr_eq</c> step by step
/// without a CAS:
/// <list type="number">
/// <item>assignments: <c>x = 5+5+1 = 11</c> is cut to <c>x = 11</c>; a predicted equation against a gold value
/// compares its right side; a gold assignment against a predicted value compares its right side;</item>
/// <item>a gold inequality against a predicted set becomes its interval (and the other way round only when
/// allowed);</item>
/// <item>the same canonical print is equal;</item>
/// <item>relations compare by their differences: equal, or flipped (<c>x ≤ 5</c> = <c>5 ≥ x</c>), or proportional
/// by a constant (of the right sign for inequalities) — which replaces Math-Verify's solve-and-compare;</item>
/// <item>sets, tuples, intervals and unions compare element by element (sets in any order);</item>
/// <item>words compare without case (<c>\text{Evelyn}</c> = Evelyn);</item>
/// <item>numbers: when one side is a decimal literal both round to the configured places (Math-Verify's
/// float_rounding); otherwise exact values (<see cref="Exact"/>), else doubles within a relative 1e-10;</item>
/// <item>expressions with variables: identity testing at eight seeded points with a relative tolerance of 1e-8
/// (for polynomials a wrong identity survives a random point with probability zero; Schwartz–Zippel).</item>
/// </list>
/// Percent: <c>x\%</c> is x/100 and also matches x itself, since MATH writes percentages without the sign.
/// </summary>
sealed partial class Equivalence(int decimalPlaces, bool strict, bool relationAgainstSet, Deadline deadline)
{
    const int Points = 8;

    readonly int places = decimalPlaces;
    readonly bool strictNames = strict;
    readonly bool inequalityAgainstSet = relationAgainstSet;
    readonly Deadline clock = deadline;

    /// <summary>Whether <paramref name="pred"/> states <paramref name="gold"/>.</summary>
    public bool Compare(Node gold, Node pred)
    {
        if (!strictNames)
            pred = Rename(gold, pred);
        return Equal(gold, pred);
    }

    bool Equal(Node gold, Node pred)
    {
        clock.Check();
        if (gold is Percent ^ pred is Percent)
            return Core(gold, pred) || Core(Unpercent(gold), Unpercent(pred));
        return Core(gold, pred);
    }

    static Node Unpercent(Node n) => n is Percent p ? p.Value : n;

    bool Core(Node gold, Node pred)
    {
        gold = Shapes.Prepare(gold);
        pred = Shapes.Prepare(pred);
        (gold, pred) = Assignments(gold, pred);
        if (gold is Relation gr && Relations.IsInequality(gr) && IsSetLike(pred))
            gold = Relations.AsSet(gr) ?? gold;
        if (inequalityAgainstSet && pred is Relation pr && Relations.IsInequality(pr) && IsSetLike(gold))
            pred = Relations.AsSet(pr) ?? pred;
        if (Printer.Print(gold) == Printer.Print(pred))
            return true;
        if (gold is Relation g && pred is Relation p)
            return CompareRelations(g, p);
        if (IsSetLike(gold) || IsSetLike(pred))
            return CompareSets(gold, pred);
        if (IsWord(gold) || IsWord(pred))
            return Words.Equal(gold, pred);
        if (gold is Relation || pred is Relation)
            return false;
        return Values(gold, pred);
    }

    static (Node Gold, Node Pred) Assignments(Node gold, Node pred)
    {
        var goldAssignment = Relations.IsAssignment(gold);
        var predEquation = Relations.IsEquation(pred);
        if (goldAssignment)
            gold = Relations.Truncate((Relation)gold);
        if (Relations.IsAssignment(pred))
            pred = Relations.Truncate((Relation)pred);
        if (predEquation && !Relations.IsEquation(gold))
            pred = Shapes.Prepare(((Relation)pred).Operands[^1]);
        else if (goldAssignment && !predEquation)
            gold = Shapes.Prepare(((Relation)gold).Operands[^1]);
        return (gold, pred);
    }

    static bool IsSetLike(Node n) => n is Seq or Union;

    static bool IsWord(Node n) => n is Phrase or Sym;

    bool CompareRelations(Relation gold, Relation pred)
    {
        if (gold.Ops.Count != pred.Ops.Count)
            return false;
        for (var k = 0; k < gold.Ops.Count; k++)
        {
            var same = SingleRelation(
                gold.Operands[k],
                gold.Ops[k],
                gold.Operands[k + 1],
                pred.Operands[k],
                pred.Ops[k],
                pred.Operands[k + 1]
            );
            if (!same)
                return false;
        }
        return true;
    }

    bool SingleRelation(Node gl, string gop, Node gr, Node pl, string pop, Node pr)
    {
        Node dg = Difference(gl, gr),
            dp = Difference(pl, pr);
        if (gop == pop && Equal(dg, dp))
            return true;
        if (Relations.Inverse(gop) == pop && gop != pop && Equal(dg, Difference(pr, pl)))
            return true;
        return Proportional(dg, gop, dp, pop);
    }

    static Node Difference(Node a, Node b) => new Add([a, new Mul([Num.Of(-1), b])]);

    /// <summary>g = c·p for a constant c ≠ 0 (c &gt; 0 for the same inequality, c &lt; 0 for its inverse): the
    /// same solutions, as <c>2x+4y-3 = 0</c> and <c>y = -x/2 + 3/4</c>.</summary>
    bool Proportional(Node g, string gop, Node p, string pop)
    {
        var sign =
            gop == pop ? (gop is "=" or "!=" ? 0 : 1)
            : Relations.Inverse(gop) == pop ? -1
            : 2;
        var variables = Printer.Variables(g);
        variables.UnionWith(Printer.Variables(p));
        if (sign == 2 || variables.Count == 0)
            return false;
        Complex? ratio = null;
        var valid = 0;
        for (var point = 0; point < Points; point++)
        {
            clock.Check();
            var (a, b) = (At(g, point), At(p, point));
            if (!Finite(a) || !Finite(b) || b.Magnitude < 1e-12)
                continue;
            var r = a / b;
            ratio ??= r;
            if (!Close(r, ratio.Value, 1e-8))
                return false;
            valid++;
        }
        if (valid < 3 || ratio is not { } c || Math.Abs(c.Imaginary) > 1e-9 || Math.Abs(c.Real) < 1e-12)
            return false;
        return sign == 0 || Math.Sign(c.Real) == sign;
    }

    /// <summary>The value of a tree at sample point <paramref name="point"/>: each variable gets a value fixed by
    /// its name and the point, in ±[0.5, 2.5], so the same variable has the same value on both sides.</summary>
    static Complex At(Node node, int point) =>
        Evaluator.Evaluate(
            node,
            name =>
            {
                var seed = Hash.Of(name) ^ (ulong)(point * 7919);
                var magnitude = 0.5 + 2 * Hash.Unit(seed, 0);
                return Hash.Unit(seed, 1) < 0.5 ? -magnitude : magnitude;
            }
        );

    static bool Finite(Complex c) => double.IsFinite(c.Real) && double.IsFinite(c.Imaginary);

    static bool Close(Complex a, Complex b, double tolerance)
    {
        if (!Finite(a) || !Finite(b))
        {
            return a.Imaginary == 0 && b.Imaginary == 0 && double.IsInfinity(a.Real) && a.Real == b.Real;
        }
        var scale = Math.Max(Math.Max(a.Magnitude, b.Magnitude), 1e-300);
        return (a - b).Magnitude <= tolerance * scale || (a - b).Magnitude < 1e-14;
    }

    /// <summary>Renames the predicted variables to the gold ones by sorted position (non-strict mode: f(x) =
    /// f(y)).</summary>
    static Node Rename(Node gold, Node pred)
    {
        var g = Printer.Variables(gold).Where(v => !v.Contains(':', StringComparison.Ordinal)).ToList();
        var p = Printer.Variables(pred).Where(v => !v.Contains(':', StringComparison.Ordinal)).ToList();
        if (g.Count != p.Count)
            return pred;
        var map = p.Zip(g).ToDictionary(x => x.First, x => x.Second, StringComparer.Ordinal);
        return Shapes.Map(pred, n => n is Sym s && map.TryGetValue(s.Name, out var to) ? new Sym(to) : null);
    }
}
