using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>
/// Recursive-descent parser of normalised LaTeX or plain math into a <see cref="Node"/>. Lowest to highest
/// precedence: lists (<c>,</c> and <c>;</c>), relations (= ≠ &lt; ≤ &gt; ≥, chains allowed), unions (<c>\cup</c>),
/// sums (+ − ±), products (·, ×, /, ÷, the ratio <c>:</c>, implicit juxtaposition), signs, powers and postfixes
/// (<c>^</c>, <c>!</c>, <c>\%</c>), atoms. An unknown command, an unbalanced bracket or leftover input is a parse
/// failure (null), never an exception to the caller.
/// </summary>
sealed partial class Parser
{
    const int MaxDepth = 60;

    static readonly Dictionary<string, string> RelationOps = new()
    {
        ["="] = "=",
        ["<"] = "<",
        [">"] = ">",
        ["le"] = "<=",
        ["leq"] = "<=",
        ["leqslant"] = "<=",
        ["ge"] = ">=",
        ["geq"] = ">=",
        ["geqslant"] = ">=",
        ["lt"] = "<",
        ["gt"] = ">",
        ["ne"] = "!=",
        ["neq"] = "!=",
        ["approx"] = "~",
        ["in"] = "in",
    };

    readonly List<Token> tokens;
    int pos;
    int depth;
    int absDepth;

    Parser(List<Token> tokens) => this.tokens = tokens;

    /// <summary>The answer <paramref name="latex"/> states, or null. As Math-Verify does, an answer that does not
    /// parse but is a chain <c>a = b = c</c> (no commas) is read as its last part.</summary>
    public static Node? Parse(string latex)
    {
        var node = TryParse(latex);
        if (node is not null)
            return node;
        if (latex.Contains(',') || latex.Contains(';'))
            return null;
        var parts = EquationSplit().Split(latex);
        return parts.Length > 2 ? TryParse(parts[^1]) : null;
    }

    static Node? TryParse(string latex)
    {
        if (string.IsNullOrWhiteSpace(latex))
            return null;
        if (Thousands().IsMatch(latex))
        {
            // 7,425,000 and 1 000 are one number, not a list or a product.
            latex = latex.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        }
        try
        {
            return new Parser(Lexer.Tokenize(latex)).Answer();
        }
        catch (ParseFailure)
        {
            return null;
        }
    }

    Token Peek => tokens[pos];

    Token Take()
    {
        var token = tokens[pos];
        if (token.Kind != TokenKind.EndOfInput)
            pos++;
        return token;
    }

    void Expect(string punct)
    {
        if (!Take().IsPunct(punct))
            throw new ParseFailure();
    }

    Node Answer()
    {
        var node = List();
        while (Peek.IsPunct("."))
            Take();
        if (Peek.Kind != TokenKind.EndOfInput)
            throw new ParseFailure();
        return node;
    }

    /// <summary>Items separated by commas; semicolons separate groups of a higher level (<c>p=5,q=2;p=7,q=2</c> is
    /// two tuples), or items when no group has a comma.</summary>
    Node List()
    {
        Enter();
        var groups = new List<List<Node>> { CommaItems() };
        while (Peek.IsPunct(";") && !EndsGroup(tokens[pos + 1]))
        {
            Take();
            groups.Add(CommaItems());
        }
        depth--;
        if (groups.Count == 1)
            return groups[0].Count == 1 ? groups[0][0] : new Seq(SeqKind.List, groups[0]);
        var items = groups.All(g => g.Count == 1)
            ? groups.Select(g => g[0]).ToList()
            : groups.Select(g => g.Count == 1 ? g[0] : new Seq(SeqKind.Tuple, g, '(', ')')).ToList();
        return new Seq(SeqKind.List, items);
    }

    List<Node> CommaItems()
    {
        var items = new List<Node> { Relation() };
        while (Peek.IsPunct(",") && !EndsGroup(tokens[pos + 1]))
        {
            Take();
            items.Add(Relation());
        }
        if (Peek.IsPunct(","))
            Take(); // a trailing comma
        return items;
    }

    static bool EndsGroup(Token t) =>
        t.Kind is TokenKind.EndOfInput or TokenKind.End or TokenKind.RowBreak
        || (t.Kind == TokenKind.Punct && t.Value is ")" or "]" or "}" or @"\}" or "&" or ";" or ".");

    Node Relation()
    {
        var operands = new List<Node> { UnionOf() };
        var ops = new List<string>();
        while (RelationOp(Peek) is { } op)
        {
            Take();
            ops.Add(op);
            operands.Add(UnionOf());
        }
        if (ops.Count == 0)
            return operands[0];
        if (ops.Contains("in"))
            return ops.Count == 1 && Relations.OnlySymbols(operands[0]) ? operands[1] : throw new ParseFailure();
        var approx = ops.IndexOf("~");
        if (approx >= 0 && ops.Contains("="))
        {
            // "x = 1/3 ≈ 0.33": the approximation is commentary; the exact value before it is the answer.
            operands = operands.Take(approx + 1).ToList();
            ops = ops.Take(approx).ToList();
        }
        ops = ops.Select(o => o == "~" ? "=" : o).ToList();
        return ops.Count == 0 ? operands[0] : new Relation(operands, ops);
    }

    static string? RelationOp(Token t) =>
        t.Kind is TokenKind.Punct or TokenKind.Command && RelationOps.TryGetValue(t.Value, out var op) ? op : null;

    Node UnionOf()
    {
        var parts = new List<Node> { Sum() };
        while (Peek.IsCommand("cup"))
        {
            Take();
            parts.Add(Sum());
        }
        return parts.Count == 1 ? parts[0] : new Union(parts);
    }

    Node Sum()
    {
        var terms = new List<Node> { Product() };
        while (true)
        {
            if (Peek.IsPunct("+"))
            {
                Take();
                terms.Add(Product());
            }
            else if (Peek.IsPunct("-"))
            {
                Take();
                terms.Add(Negate(Product()));
            }
            else if (Peek.IsCommand("pm") || Peek.IsCommand("mp"))
            {
                Take();
                var right = Product();
                terms = [new PlusMinus(Combine(terms), right)];
            }
            else
            {
                return Combine(terms);
            }
        }
    }

    static Node Combine(List<Node> terms) => terms.Count == 1 ? terms[0] : new Add(terms);

    static Node Negate(Node node) => node is Num n ? n with { Value = -n.Value } : new Mul([Num.Of(-1), node]);

    Node Product()
    {
        var factors = new List<Node> { Signed() };
        while (true)
        {
            var t = Peek;
            if (t.IsPunct("*") || t.IsCommand("cdot") || t.IsCommand("times") || t.IsCommand("ast"))
            {
                Take();
                factors.Add(Signed());
            }
            else if (t.IsPunct("/") || t.IsCommand("div") || t.IsPunct(":"))
            {
                Take();
                factors.Add(new Pow(Signed(), Num.Of(-1)));
            }
            else if (StartsFactor(t))
            {
                var factor = Postfix(Primary());
                if (factors.Count == 1 && Mixed(factors[0], factor) is { } mixed)
                    factors[0] = mixed;
                else
                    factors.Add(factor);
            }
            else
            {
                return factors.Count == 1 ? factors[0] : new Mul(factors);
            }
        }
    }

    /// <summary>A mixed number, as latex2sympy reads it: an integer followed by a fraction of positive integers,
    /// <c>2\frac{1}{2}</c> = 5/2 and <c>-2\frac{1}{2}</c> = −5/2.</summary>
    static Num? Mixed(Node whole, Node fraction)
    {
        if (whole is not Num { IsDecimal: false, Value.IsInteger: true } w)
            return null;
        if (
            fraction is not Mul { Factors: [Num { Value: var p }, Pow { Base: Num { Value: var q }, Exponent: Num e }] }
        )
        {
            return null;
        }

        if (!p.IsInteger || !q.IsInteger || p.Numerator.Sign <= 0 || q.Numerator.Sign <= 0 || e.Value.Numerator != -1)
            return null;
        var part = p / q;
        return new Num(w.Value.Numerator.Sign < 0 ? w.Value - part : w.Value + part);
    }

    Node Signed()
    {
        var negate = false;
        while (true)
        {
            if (Peek.IsPunct("-"))
            {
                negate = !negate;
            }
            else if (Peek.IsCommand("pm") || Peek.IsCommand("mp"))
            {
                Take();
                Enter();
                var right = Signed();
                depth--;
                return new PlusMinus(null, negate ? Negate(right) : right);
            }
            else if (!Peek.IsPunct("+"))
            {
                break;
            }
            Take();
        }
        var node = Postfix(Primary());
        return negate ? Negate(node) : node;
    }

    Node Postfix(Node node)
    {
        var chain = 0;
        while (true)
        {
            if (++chain > MaxDepth)
                throw new ParseFailure(); // x^x^x^…: each power nests the tree one level deeper
            if (Peek.IsPunct("^"))
            {
                Take();
                if (Exponent() is { } exponent)
                    node = new Pow(node, exponent);
            }
            else if (Peek.IsPunct("!"))
            {
                Take();
                node = new Func("factorial", [node]);
            }
            else if (Peek.IsPunct("%"))
            {
                Take();
                node = new Percent(node);
            }
            else if (Peek.IsPunct("'") || Peek.IsCommand("prime"))
            {
                Take();
                node = node is Sym s ? new Sym(s.Name + "'") : throw new ParseFailure();
            }
            else
            {
                return node;
            }
        }
    }

    void Enter()
    {
        if (++depth > MaxDepth)
            throw new ParseFailure();
    }

    [GeneratedRegex(@"(?<!\\|<|!|>)=")]
    private static partial Regex EquationSplit();

    [GeneratedRegex(@"^\s*-?\d{1,3}(?:(?:,\d{3})+|(?: \d{3})+)(\.\d+)?\s*$")]
    private static partial Regex Thousands();

    /// <summary>Thrown inside the parser only; <see cref="Parse"/> turns it into null.</summary>
    sealed class ParseFailure : Exception
    {
        public ParseFailure()
            : base("not a math answer") { }

        public ParseFailure(string message)
            : base(message) { }

        public ParseFailure(string message, Exception inner)
            : base(message, inner) { }
    }
}
