using System.Globalization;

namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>
/// The canonical print of a tree: fully parenthesised, with the operands of sums, products, sets and unions sorted.
/// Two trees with the same print are the same answer written in another order (<c>2\sqrt{33}+15</c> and
/// <c>15+2\sqrt{33}</c>), which is the first thing a comparison checks and what voting keys fall back to.
/// </summary>
static class Printer
{
    public static string Print(Node node) => Strip(P(node));

    static string Strip(string s) => s.Length > 1 && s[0] == '(' && s[^1] == ')' && Closes(s) ? s[1..^1] : s;

    /// <summary>Whether the first parenthesis of <paramref name="s"/> closes at its last character.</summary>
    static bool Closes(string s)
    {
        var level = 0;
        for (var i = 0; i < s.Length; i++)
        {
            level +=
                s[i] == '(' ? 1
                : s[i] == ')' ? -1
                : 0;
            if (level == 0)
                return i == s.Length - 1;
        }
        return false;
    }

    static string P(Node node) =>
        node switch
        {
            Num n => n.Value.ToString(),
            Sym s => Name(s.Name),
            Const c => ConstantText(c),
            Phrase t => @"\text{" + t.Value + "}",
            Numeral n => n.Digits + "_" + n.Base,
            Add a => "(" + string.Join("+", Sorted(a.Terms)) + ")",
            Mul m => "(" + string.Join("*", Sorted(m.Factors)) + ")",
            Pow p => "(" + P(p.Base) + "^{" + P(p.Exponent) + "})",
            Func f => FunctionText(f),
            PlusMinus pm => "(" + (pm.Left is null ? "" : P(pm.Left)) + @"\pm " + P(pm.Right) + ")",
            Percent p => "(" + P(p.Value) + @"\%)",
            Relation r => RelationText(r),
            Seq s => SeqText(s),
            Union u => "(" + string.Join(@"\cup ", Sorted(u.Parts)) + ")",
            Matrix m => MatrixText(m, P),
            _ => throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "unknown node"),
        };

    /// <summary>A variable's name as LaTeX reads it back: <c>S_MBCN</c> → <c>S_{MBCN}</c>.</summary>
    public static string Name(string name)
    {
        var underscore = name.IndexOf('_', StringComparison.Ordinal);
        return underscore < 0 || underscore == name.Length - 1
            ? name
            : name[..(underscore + 1)] + "{" + name[(underscore + 1)..] + "}";
    }

    static string ConstantText(Const c) =>
        c.Name switch
        {
            "pi" => @"\pi",
            "inf" => @"\infty",
            _ => c.Name,
        };

    /// <summary>Functions in LaTeX, so that a print parses back to the same tree.</summary>
    static string FunctionText(Func f)
    {
        var args = f.Args.Select(P).ToList();
        return f.Name switch
        {
            "abs" => "|" + args[0] + "|",
            "floor" => @"\lfloor " + args[0] + @"\rfloor",
            "ceil" => @"\lceil " + args[0] + @"\rceil",
            "factorial" => "(" + args[0] + ")!",
            "binom" => @"\binom{" + args[0] + "}{" + args[1] + "}",
            "logb" => @"\log_{" + args[0] + "}(" + args[1] + ")",
            "asin" or "acos" or "atan" => @"\arc" + f.Name[1..] + "(" + args[0] + ")",
            "sum" or "prod" => $@"\{f.Name}_{{{Raw(f.Args[0])}}}^{{{Raw(f.Args[1])}}}({args[2]})",
            _ when f.Name.StartsWith("fn:", StringComparison.Ordinal) => f.Name[3..]
                + "("
                + string.Join(",", args)
                + ")",
            _ => "\\" + f.Name + "(" + string.Join(",", args) + ")",
        };
    }

    static string Raw(Node n) => n is Phrase t ? t.Value : P(n);

    static IEnumerable<string> Sorted(IEnumerable<Node> nodes) => nodes.Select(P).Order(StringComparer.Ordinal);

    static string RelationText(Relation r)
    {
        var text = P(r.Operands[0]);
        for (var i = 0; i < r.Ops.Count; i++)
            text += r.Ops[i] + P(r.Operands[i + 1]);
        return "(" + text + ")";
    }

    static string SeqText(Seq s) =>
        s.Kind switch
        {
            SeqKind.List or SeqKind.Set => @"\{" + string.Join(",", Sorted(s.Items).Distinct()) + @"\}",
            _ => s.Open + string.Join(",", s.Items.Select(P)) + s.Close,
        };

    /// <summary>A matrix with each entry printed by <paramref name="entry"/>.</summary>
    public static string MatrixText(Matrix m, Func<Node, string> entry) =>
        @"\begin{pmatrix}"
        + string.Join(@"\\", m.Rows.Select(r => string.Join("&", r.Select(entry))))
        + @"\end{pmatrix}";

    /// <summary>The variables of a tree (names of <see cref="Sym"/>, and text and numerals, which compare as
    /// opaque values), sorted.</summary>
    public static SortedSet<string> Variables(Node node)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Collect(node, names);
        return names;
    }

    static void Collect(Node node, SortedSet<string> names)
    {
        switch (node)
        {
            case Sym s:
                names.Add(s.Name);
                break;
            case Phrase t:
                names.Add("text:" + t.Value.ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal));
                break;
            case Numeral n:
                names.Add(string.Create(CultureInfo.InvariantCulture, $"numeral:{n.Digits}_{n.Base}"));
                break;
            default:
                foreach (var child in Children(node))
                    Collect(child, names);
                break;
        }
    }

    /// <summary>The direct children of a node.</summary>
    public static IEnumerable<Node> Children(Node node) =>
        node switch
        {
            Add a => a.Terms,
            Mul m => m.Factors,
            Pow p => new[] { p.Base, p.Exponent },
            Func f => f.Args,
            PlusMinus pm => pm.Left is null ? new[] { pm.Right } : new[] { pm.Left, pm.Right },
            Percent p => [p.Value],
            Relation r => r.Operands,
            Seq s => s.Items,
            Union u => u.Parts,
            Matrix m => m.Rows.SelectMany(r => r),
            _ => Array.Empty<Node>(),
        };
}
