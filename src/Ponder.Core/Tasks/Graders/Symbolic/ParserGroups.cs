namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>The groups of <see cref="Parser"/>: brackets, braces, sets, absolute values and matrices.</summary>
sealed partial class Parser
{
    static readonly HashSet<string> MatrixEnvironments =
    [
        "pmatrix",
        "bmatrix",
        "Bmatrix",
        "matrix",
        "smallmatrix",
        "array",
    ];

    /// <summary>After <c>(</c> or <c>[</c>: a parenthesised expression, a pair <c>(a, b)</c> (an open interval or
    /// an ordered pair), an interval <c>[a, b)</c>, or a tuple of three or more.</summary>
    Node Bracketed(char open)
    {
        var content = List();
        var closer = Take();
        if (!closer.IsPunct(")") && !closer.IsPunct("]"))
            throw new ParseFailure();
        var close = closer.Value[0];
        var items = content is Seq { Kind: SeqKind.List } list ? list.Items : [content];
        if (items.Count == 1)
            return (open == '(') == (close == ')') ? items[0] : throw new ParseFailure();
        if (items.Count == 2)
        {
            return open == '(' && close == ')'
                ? new Seq(SeqKind.Pair, items, '(', ')')
                : new Seq(SeqKind.Interval, items, open, close);
        }
        return (open == '(') == (close == ')') ? new Seq(SeqKind.Tuple, items, open, close) : throw new ParseFailure();
    }

    /// <summary>After <c>{</c>: a group; a list inside braces (<c>{1,3}</c>) stays a list, as Math-Verify reads
    /// it.</summary>
    Node Braced()
    {
        var content = List();
        Expect("}");
        return content;
    }

    Node SetAtom()
    {
        if (Peek.IsPunct(@"\}"))
        {
            Take();
            return new Seq(SeqKind.Set, []);
        }
        var content = List();
        Expect(@"\}");
        return new Seq(SeqKind.Set, content is Seq { Kind: SeqKind.List } list ? list.Items : [content]);
    }

    Node AbsAtom()
    {
        absDepth++;
        var inner = Sum();
        absDepth--;
        Expect("|");
        return new Func("abs", [inner]);
    }

    Node MatrixAtom(string environment)
    {
        if (!MatrixEnvironments.Contains(environment))
            throw new ParseFailure();
        var rows = new List<IReadOnlyList<Node>>();
        var row = new List<Node>();
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.End)
            {
                Take();
                break;
            }
            if (t.Kind == TokenKind.EndOfInput)
                throw new ParseFailure();
            if (t.Kind == TokenKind.RowBreak)
            {
                Take();
                rows.Add(row);
                row = [];
                continue;
            }
            row.Add(UnionOf());
            if (Peek.IsPunct("&"))
                Take();
            else if (Peek.Kind is not (TokenKind.RowBreak or TokenKind.End))
                throw new ParseFailure();
        }
        if (row.Count > 0)
            rows.Add(row);
        rows.RemoveAll(r => r.Count == 0);
        if (rows.Count == 0 || rows.Any(r => r.Count != rows[0].Count))
            throw new ParseFailure();
        return new Matrix(rows);
    }
}
