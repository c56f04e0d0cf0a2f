namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>Equations and inequalities: which are assignments (<c>x = 5</c>, <c>(p, q) = (3, 2)</c>), and the
/// interval an inequality in one variable describes.</summary>
static class Relations
{
    /// <summary>Whether a tree is made of symbols only (<c>x</c>, <c>AB</c>, <c>|AB|</c>, <c>A:B</c>,
    /// <c>f(x)</c>, <c>(p, q)</c>): the left side of an assignment.</summary>
    public static bool OnlySymbols(Node node) =>
        node switch
        {
            Sym => true,
            Pow { Exponent: Num { Value: { IsInteger: true } v } } p when v.Numerator == -1 => OnlySymbols(p.Base),
            Mul or Func or Seq { Kind: SeqKind.Pair or SeqKind.Tuple } => Printer.Children(node).All(OnlySymbols),
            _ => false,
        };

    /// <summary><c>lhs = … = rhs</c> whose first side is symbols only.</summary>
    public static bool IsAssignment(Node node) => node is Relation r && r.IsEquation && OnlySymbols(r.Operands[0]);

    public static bool IsEquation(Node node) => node is Relation r && r.IsEquation;

    public static bool IsInequality(Node node) => node is Relation r && !r.IsEquation;

    /// <summary>An assignment chain cut to its first and last sides: <c>x = 5+5+1 = 11</c> → <c>x = 11</c>.</summary>
    public static Relation Truncate(Relation r) =>
        r.Ops.Count == 1 ? r : new Relation([r.Operands[0], r.Operands[^1]], ["="]);

    public static string Inverse(string op) =>
        op switch
        {
            "<" => ">",
            ">" => "<",
            "<=" => ">=",
            ">=" => "<=",
            _ => op,
        };

    /// <summary>The set an inequality in one variable describes: <c>x &lt; 3</c> → (−∞, 3), <c>-2 ≤ x ≤ 7</c> →
    /// [−2, 7], <c>1 ≤ |z| ≤ 3/2</c> → [−3/2, −1] ∪ [1, 3/2]; null for anything else.</summary>
    public static Node? AsSet(Relation r)
    {
        if (r.Ops.Any(o => o is "=" or "!="))
            return null;
        if (r.Ops.Count == 1)
        {
            var (variable, op, bound) =
                Printer.Variables(r.Operands[0]).Count > 0
                    ? (r.Operands[0], r.Ops[0], r.Operands[1])
                    : (r.Operands[1], Inverse(r.Ops[0]), r.Operands[0]);
            if (!OnlySymbols(variable) && !IsAbs(variable) || Printer.Variables(bound).Count > 0)
                return null;
            return Half(variable, op, bound);
        }
        if (
            r.Ops.Count != 2
            || Printer.Variables(r.Operands[0]).Count > 0
            || Printer.Variables(r.Operands[2]).Count > 0
        )
        {
            return null;
        }

        var middle = r.Operands[1];
        if (!OnlySymbols(middle) && !IsAbs(middle))
            return null;
        var ascending = r.Ops.All(o => o is "<" or "<=");
        var descending = r.Ops.All(o => o is ">" or ">=");
        if (!ascending && !descending)
            return null;
        var (low, lowOp, high, highOp) = ascending
            ? (r.Operands[0], r.Ops[0], r.Operands[2], r.Ops[1])
            : (r.Operands[2], Inverse(r.Ops[1]), r.Operands[0], Inverse(r.Ops[0]));
        var interval = Between(low, lowOp == "<", high, highOp == "<");
        return IsAbs(middle) ? Mirror(interval) : interval;
    }

    static bool IsAbs(Node node) => node is Func { Name: "abs" } f && OnlySymbols(f.Args[0]);

    static Node Half(Node variable, string op, Node bound)
    {
        var infinity = Const.Infinity;
        var minus = new Mul([Num.Of(-1), infinity]);
        var strict = op is "<" or ">";
        if (IsAbs(variable))
        {
            // |x| < c is (−c, c); |x| > c is (−∞, −c) ∪ (c, ∞).
            return op is "<" or "<="
                ? Between(Negative(bound), strict, bound, strict)
                : new Union([Between(minus, true, Negative(bound), strict), Between(bound, strict, infinity, true)]);
        }
        return op is "<" or "<=" ? Between(minus, true, bound, strict) : Between(bound, strict, infinity, true);
    }

    static Seq Between(Node low, bool lowOpen, Node high, bool highOpen) =>
        lowOpen && highOpen
            ? new Seq(SeqKind.Pair, [low, high], '(', ')')
            : new Seq(SeqKind.Interval, [low, high], lowOpen ? '(' : '[', highOpen ? ')' : ']');

    static Node Negative(Node n) => new Mul([Num.Of(-1), n]);

    /// <summary>c₁ ≤ |x| ≤ c₂ → [−c₂, −c₁] ∪ [c₁, c₂].</summary>
    static Node Mirror(Seq interval)
    {
        var (low, high) = (interval.Items[0], interval.Items[1]);
        var lowOpen = interval.Open == '(';
        var highOpen = interval.Close == ')';
        return new Union([Between(Negative(high), highOpen, Negative(low), lowOpen), interval]);
    }
}
