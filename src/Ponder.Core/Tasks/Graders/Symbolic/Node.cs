namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>
/// A parsed math answer. Arithmetic is kept in a few shapes so that comparison stays simple: subtraction is
/// <c>a + (-1)·b</c>, division is <c>a·b^(-1)</c>, a root is a power with a rational exponent. Sums and products keep
/// their written order (multiple-choice text like "Evelyn" is read back from a product of letters); the canonical
/// print in <see cref="Printer"/> sorts them.
/// </summary>
abstract record Node;

/// <summary>An exact number; <paramref name="IsDecimal"/> when it was written with a decimal point (0.333), which is
/// what lets a comparison round (Math-Verify rounds only when one side is such a literal).</summary>
sealed record Num(Rational Value, bool IsDecimal = false) : Node
{
    public static Num Of(long value) => new(new Rational(value, 1));
}

/// <summary>A variable: <c>x</c>, <c>a_3</c>, <c>\alpha</c>.</summary>
sealed record Sym(string Name) : Node;

/// <summary>A named constant: <c>pi</c>, <c>e</c>, <c>i</c> (the imaginary unit) or <c>inf</c>.</summary>
sealed record Const(string Name) : Node
{
    public static readonly Const Pi = new("pi");
    public static readonly Const E = new("e");
    public static readonly Const I = new("i");
    public static readonly Const Infinity = new("inf");
}

/// <summary>Words: <c>\text{Evelyn}</c>, <c>\text{odd}</c>. Compared without case and spaces.</summary>
sealed record Phrase(string Value) : Node;

/// <summary>A numeral in another base, <c>204_5</c>: equal only to the same digits in the same base, never to its
/// value (a problem that asks for base 5 wants base 5).</summary>
sealed record Numeral(string Digits, string Base) : Node;

sealed record Add(IReadOnlyList<Node> Terms) : Node;

sealed record Mul(IReadOnlyList<Node> Factors) : Node;

sealed record Pow(Node Base, Node Exponent) : Node;

/// <summary>A function: sin, cos, tan, sec, csc, cot, their inverses and hyperbolics, log (natural), exp, abs,
/// floor, ceil, factorial, binom, log with a base (<c>logb(base, x)</c>), a sum (opaque), or an undefined function
/// <c>f(x)</c> (name prefixed with <c>fn:</c>).</summary>
sealed record Func(string Name, IReadOnlyList<Node> Args) : Node;

/// <summary><c>a ± b</c> (Left null for a leading <c>±b</c>): a set of two values.</summary>
sealed record PlusMinus(Node? Left, Node Right) : Node;

/// <summary><c>x\%</c>: the value x/100, which also matches x itself (MATH writes percentages without the
/// sign).</summary>
sealed record Percent(Node Value) : Node;

/// <summary>A chain <c>a op b op c</c> with ops among = ≠ &lt; ≤ &gt; ≥.</summary>
sealed record Relation(IReadOnlyList<Node> Operands, IReadOnlyList<string> Ops) : Node
{
    public bool IsEquation => Ops.All(o => o == "=");
}

/// <summary>How a bracketed or comma-separated group reads.</summary>
enum SeqKind
{
    /// <summary>A bare list <c>1, 2, 3</c>: a set, except against a tuple (then in written order).</summary>
    List,

    /// <summary><c>\{1, 2\}</c>.</summary>
    Set,

    /// <summary><c>(a, b, c)</c> with three or more elements, or a matrix-free vector.</summary>
    Tuple,

    /// <summary><c>(a, b)</c>: an open interval or an ordered pair, whichever the other side is.</summary>
    Pair,

    /// <summary><c>[a, b]</c>, <c>(a, b]</c>, <c>[a, b)</c>.</summary>
    Interval,
}

/// <summary>A group of answers: list, set, tuple, pair or interval (<paramref name="Open"/>/<paramref name="Close"/>
/// are the brackets, used by intervals).</summary>
sealed record Seq(SeqKind Kind, IReadOnlyList<Node> Items, char Open = ' ', char Close = ' ') : Node;

sealed record Union(IReadOnlyList<Node> Parts) : Node;

sealed record Matrix(IReadOnlyList<IReadOnlyList<Node>> Rows) : Node;
