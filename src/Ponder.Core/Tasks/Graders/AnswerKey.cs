using Ponder.Tasks.Graders.Symbolic;

namespace Ponder.Tasks.Graders;

/// <summary>
/// The voting key of an answer: two answers share a key only if <see cref="MathAnswer"/> finds them equivalent.
/// The key is exact where a canonical form exists and otherwise the answer's canonical print:
/// <list type="bullet">
/// <item>constants built from rationals, + − × ÷, powers and square roots: the exact value <c>Σ c√b</c>
/// (<see cref="RadicalSum"/>): "1/2" for 0.5, ½ and \frac{1}{2}; "3\sqrt{2}" for √18;</item>
/// <item>a percent: the key of its number (MATH writes percentages without the sign, and 50\% matches 50);</item>
/// <item>sets and lists: the sorted distinct keys of their elements; tuples, intervals and matrices: the keys of
/// their elements in place; unions: the sorted keys of their parts;</item>
/// <item>words: lower case without spaces;</item>
/// <item>polynomials with rational coefficients: the expanded form (<see cref="Polynomial"/>), so (x+1)^2 and
/// x^2+2x+1 vote together;</item>
/// <item>anything else (other expressions with variables, π, relations): the canonical print
/// (<see cref="Printer"/>), which is equal only for the same tree up to the order of sums and products.</item>
/// </list>
/// Where the key is a print it is not complete: \frac{x^2-1}{x-1} and x+1 are equivalent but get two keys, so their
/// votes are not pooled. It is never wrong the other way: keys are equal only for answers that are the same value,
/// the same polynomial or the same tree, which the comparison calls equal before any tolerance is used. An answer
/// that does not parse keys by its extracted text (prefixed "≡ ").
/// </summary>
static class AnswerKey
{
    public static string? Of(ExtractedAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Value is { } value)
            return Of(Shapes.Prepare(value));
        return string.IsNullOrWhiteSpace(answer.Text) ? null : "≡ " + answer.Text.Trim();
    }

    static string Of(Node node) =>
        node switch
        {
            Percent p => Of(p.Value),
            Seq { Kind: SeqKind.List or SeqKind.Set } s => @"\{"
                + string.Join(",", s.Items.Select(Of).Distinct().Order(StringComparer.Ordinal))
                + @"\}",
            Seq { Kind: SeqKind.Pair } s => "(" + string.Join(",", s.Items.Select(Of)) + ")",
            Seq s => s.Open + string.Join(",", s.Items.Select(Of)) + s.Close,
            Union u => string.Join(@"\cup ", u.Parts.Select(Of).Order(StringComparer.Ordinal)),
            Matrix m => Printer.MatrixText(m, Of),
            Phrase t => @"\text{" + t.Value.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant() + "}",
            Sym s => Printer.Name(s.Name.Length > 1 ? s.Name.ToLowerInvariant() : s.Name),
            Relation => Printer.Print(node),
            _ when Printer.Variables(node).Count == 0 && Exact.Value(node) is { } exact => exact.ToString(),
            _ when Expanded(node) is { } polynomial => polynomial,
            _ => Printer.Print(node),
        };

    /// <summary>The expanded polynomial, unless it is one bare variable: x + 0 is not keyed as x, because a
    /// variable compares by name (as a word) and x + 0 does not.</summary>
    static string? Expanded(Node node)
    {
        var expanded = Polynomial.Expand(node);
        var variables = Printer.Variables(node);
        return expanded is null || (variables.Count == 1 && expanded == Printer.Name(variables.Min!)) ? null : expanded;
    }
}
