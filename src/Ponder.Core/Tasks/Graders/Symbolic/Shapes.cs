namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>Rewrites that put an answer into the shape comparisons expect: matrix arithmetic is carried out
/// (<c>A + B</c> and <c>A·B</c> of literal matrices become one matrix) and <c>±</c> becomes the set of its values
/// (<c>1 ± √5</c> → {1 + √5, 1 − √5}).</summary>
static class Shapes
{
    const int MaxVariants = 8;

    public static Node Prepare(Node node)
    {
        node = Map(node, FoldMatrix);
        return node switch
        {
            Seq { Kind: SeqKind.List or SeqKind.Set } s => s with { Items = s.Items.SelectMany(Variants).ToList() },
            Relation or Seq or Union or Matrix => node,
            _ => Variants(node) is { Count: > 1 } values ? new Seq(SeqKind.List, values) : node,
        };
    }

    /// <summary>Applies <paramref name="rewrite"/> bottom-up; it returns null to keep a node.</summary>
    public static Node Map(Node node, Func<Node, Node?> rewrite)
    {
        var mapped = node switch
        {
            Add a => new Add(a.Terms.Select(t => Map(t, rewrite)).ToList()),
            Mul m => new Mul(m.Factors.Select(f => Map(f, rewrite)).ToList()),
            Pow p => new Pow(Map(p.Base, rewrite), Map(p.Exponent, rewrite)),
            Func f => f with { Args = f.Args.Select(a => Map(a, rewrite)).ToList() },
            PlusMinus pm => new PlusMinus(pm.Left is null ? null : Map(pm.Left, rewrite), Map(pm.Right, rewrite)),
            Percent p => new Percent(Map(p.Value, rewrite)),
            Relation r => r with { Operands = r.Operands.Select(o => Map(o, rewrite)).ToList() },
            Seq s => s with { Items = s.Items.Select(i => Map(i, rewrite)).ToList() },
            Union u => new Union(u.Parts.Select(p => Map(p, rewrite)).ToList()),
            Matrix m => new Matrix(
                m.Rows.Select(r => (IReadOnlyList<Node>)r.Select(e => Map(e, rewrite)).ToList()).ToList()
            ),
            _ => node,
        };
        return rewrite(mapped) ?? mapped;
    }

    /// <summary>The values of a tree with ± (one value when it has none, or more than eight).</summary>
    static List<Node> Variants(Node node)
    {
        var values = VariantsOf(node);
        return values.Count > MaxVariants ? [node] : values;
    }

    static List<Node> VariantsOf(Node node)
    {
        switch (node)
        {
            case PlusMinus pm:
                var lefts = pm.Left is null ? [null] : VariantsOf(pm.Left).Cast<Node?>().ToList();
                var result = new List<Node>();
                foreach (var right in VariantsOf(pm.Right))
                {
                    foreach (var left in lefts)
                    {
                        var negative = new Mul([Num.Of(-1), right]);
                        result.Add(left is null ? right : new Add([left, right]));
                        result.Add(left is null ? negative : new Add([left, negative]));
                    }
                }
                return result;
            case Add a:
                return Product(a.Terms).Select(t => (Node)new Add(t)).ToList();
            case Mul m:
                return Product(m.Factors).Select(f => (Node)new Mul(f)).ToList();
            case Pow p:
                return Product([p.Base, p.Exponent]).Select(x => (Node)new Pow(x[0], x[1])).ToList();
            default:
                return [node];
        }
    }

    static List<List<Node>> Product(IReadOnlyList<Node> parts)
    {
        var combos = new List<List<Node>> { new() };
        foreach (var part in parts)
        {
            var options = VariantsOf(part);
            combos = combos.SelectMany(c => options.Select(o => new List<Node>(c) { o })).ToList();
            if (combos.Count > MaxVariants)
                return [parts.ToList()];
        }
        return combos;
    }

    static Node? FoldMatrix(Node node) =>
        node switch
        {
            Add a when a.Terms.All(t => t is Matrix) => AddMatrices(a.Terms.Cast<Matrix>().ToList()),
            Mul m when m.Factors.Any(f => f is Matrix) => MultiplyMatrices(m.Factors),
            _ => null,
        };

    static Node? AddMatrices(List<Matrix> terms)
    {
        var first = terms[0];
        if (terms.Any(t => t.Rows.Count != first.Rows.Count || t.Rows[0].Count != first.Rows[0].Count))
            return null;
        var rows = first
            .Rows.Select(
                (row, i) =>
                    (IReadOnlyList<Node>)
                        row.Select((_, j) => (Node)new Add(terms.Select(t => t.Rows[i][j]).ToList())).ToList()
            )
            .ToList();
        return new Matrix(rows);
    }

    static Node? MultiplyMatrices(IReadOnlyList<Node> factors)
    {
        Node acc = factors[0];
        foreach (var f in factors.Skip(1))
        {
            acc = (acc, f) switch
            {
                (Matrix a, Matrix b) when a.Rows[0].Count == b.Rows.Count => MatrixProduct(a, b),
                (Matrix, Matrix) => null!,
                (Matrix a, _) => Scale(a, f),
                (_, Matrix b) => Scale(b, acc),
                _ => new Mul([acc, f]),
            };
            if (acc is null)
                return null;
        }
        return acc;
    }

    static Matrix Scale(Matrix m, Node factor) =>
        new(m.Rows.Select(r => (IReadOnlyList<Node>)r.Select(e => (Node)new Mul([factor, e])).ToList()).ToList());

    static Matrix MatrixProduct(Matrix a, Matrix b)
    {
        var rows = new List<IReadOnlyList<Node>>();
        foreach (var row in a.Rows)
        {
            var cells = new List<Node>();
            for (var j = 0; j < b.Rows[0].Count; j++)
                cells.Add(new Add(row.Select((x, k) => (Node)new Mul([x, b.Rows[k][j]])).ToList()));
            rows.Add(cells);
        }
        return new Matrix(rows);
    }
}
