namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>Word answers (Math-Verify's <c>sympy_compare_symbols</c>): <c>\text{Evelyn}</c> equals the letters
/// Evelyn (which parse as a product; e and i read as their letters there), names of more than one letter compare
/// without case, and the letter e equals the constant e.</summary>
static class Words
{
    public static bool Equal(Node gold, Node pred)
    {
        if (IsE(gold) && pred is Const { Name: "e" } || IsE(pred) && gold is Const { Name: "e" })
            return true;
        if (Word(gold) is not { } g || Word(pred) is not { } p)
            return false;
        if (gold is Sym && pred is Sym)
            return Fold(g) == Fold(p);
        return string.Equals(g, p, StringComparison.OrdinalIgnoreCase);
    }

    static bool IsE(Node n) => n is Sym s && s.Name.Equals("e", StringComparison.OrdinalIgnoreCase);

    static string Fold(string name) => name.Length > 1 ? name.ToLowerInvariant() : name;

    /// <summary>The word a node spells, or null: text without spaces, a symbol's name, or a product of
    /// letters.</summary>
    static string? Word(Node node) =>
        node switch
        {
            Phrase t => t.Value.Replace(" ", "", StringComparison.Ordinal),
            Sym s => s.Name,
            Const { Name: "e" or "i" } c => c.Name,
            Mul m when m.Factors.All(f => f is Sym { Name.Length: 1 } or Const { Name: "e" or "i" }) => string.Concat(
                m.Factors.Select(f => f is Sym s ? s.Name : ((Const)f).Name)
            ),
            _ => null,
        };
}
