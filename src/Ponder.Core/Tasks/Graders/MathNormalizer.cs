using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>
/// String normalisation of a LaTeX answer, following hendrycks' <c>is_equiv</c> (<c>strip_string</c>) with a few
/// deliberate extensions: every <c>\text{…}</c> unit at the end is dropped (not only <c>\text{ …}</c>), a whole-answer
/// <c>\text{X}</c> is unwrapped, <c>\,</c> <c>\;</c> thin spaces go, <c>\le</c>/<c>\leq</c> are unified,
/// single-character <c>^{2}</c>/<c>_{5}</c> lose their braces, a leading <c>x\in</c> is dropped like <c>x=</c>, and
/// <c>\pi/2</c> becomes <c>\frac{\pi}{2}</c> (hendrycks converts only integer <c>a/b</c>).
/// </summary>
public static partial class MathNormalizer
{
    static readonly string[] Removed =
    [
        "\n",
        "\r",
        "\t",
        @"\!",
        @"\,",
        @"\;",
        @"\:",
        @"\ ",
        "~",
        @"\displaystyle",
        @"\$",
        "$",
        @"\%",
        "%",
        "^{\\circ}",
        "^\\circ",
        "°",
    ];

    static readonly string[] UnitCommands = [@"\text{", @"\mbox{", @"\textrm{", @"\mathrm{"];

    // Matrix row separators survive the removal of "\ " and "\," (hendrycks turns "\\\\" into "\\"; we keep rows).
    const string RowBreak = "\u0001";

    static readonly string[] Unwrapped =
    [
        @"\text",
        @"\textbf",
        @"\textit",
        @"\mathrm",
        @"\mathbf",
        @"\mbox",
        @"\operatorname",
    ];

    /// <summary>The normalised form of <paramref name="answer"/>; equal strings are equivalent answers.</summary>
    public static string Normalize(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var s = answer.Trim().Replace('\u2212', '-'); // U+2212 MINUS SIGN, common in chat output
        s = s.Replace(@"\\", RowBreak, StringComparison.Ordinal);
        s = s.Replace("{,}", ",", StringComparison.Ordinal); // 1{,}000: LaTeX's tight thousands separator
        foreach (var token in Removed)
            s = s.Replace(token, "", StringComparison.Ordinal);
        s = LeftRight().Replace(s, "");
        s = s.Replace(@"\tfrac", @"\frac", StringComparison.Ordinal)
            .Replace(@"\dfrac", @"\frac", StringComparison.Ordinal);
        s = s.Replace(@"\leq", @"\le", StringComparison.Ordinal).Replace(@"\geq", @"\ge", StringComparison.Ordinal);
        s = DropUnits(s.Trim());
        foreach (var command in Unwrapped)
            s = Latex.Unwrap(s, command);
        s = Whitespace().Replace(s, "");
        while (s.EndsWith('.'))
            s = s[..^1];
        s = DropVariablePrefix(s);
        s = Latex.BraceArguments(s, @"\sqrt", 1);
        s = Latex.BraceArguments(s, @"\frac", 2);
        s = SingleCharacterScript().Replace(s, "$1$2");
        s = LeadingPoint().Replace(s, "${1}0.");
        s = LetterInParentheses().Replace(s, "$1");
        var slash = SimpleSlash().Match(s);
        if (slash.Success)
            s = $@"{slash.Groups[1].Value}\frac{{{slash.Groups[2].Value}}}{{{slash.Groups[3].Value}}}";
        return s.Replace(RowBreak, @"\\", StringComparison.Ordinal);
    }

    /// <summary>Drops trailing <c>\text{…}</c> / <c>\mbox{…}</c> units (with an optional <c>^2</c>) after a value,
    /// e.g. <c>15\mbox{ cm}^2</c> → <c>15</c>; a whole answer <c>\text{Evelyn}</c> is kept (unwrapped later).</summary>
    static string DropUnits(string s)
    {
        while (true)
        {
            var (at, open) = LastUnitCommand(s);
            if (at < 0)
                return s;
            var close = Latex.MatchingBrace(s, open);
            if (close < 0 || !UnitExponent().IsMatch(s[(close + 1)..]))
                return s;
            var before = s[..at].TrimEnd();
            if (before.Length == 0)
                return s;
            s = before;
        }
    }

    /// <summary>The start of the last unit command and the index of its opening brace, or (-1, -1).</summary>
    static (int At, int Open) LastUnitCommand(string s)
    {
        var best = (At: -1, Open: -1);
        foreach (var command in UnitCommands)
        {
            var at = s.LastIndexOf(command, StringComparison.Ordinal);
            if (at > best.At)
                best = (at, at + command.Length - 1);
        }
        return best;
    }

    /// <summary>hendrycks: "x = 5" → "5" when there is one "=" and the left side has at most two characters;
    /// also "x\in[-2,7]" → "[-2,7]".</summary>
    static string DropVariablePrefix(string s)
    {
        var parts = s.Split('=');
        if (parts.Length == 2 && parts[0].Length <= 2 && parts[1].Length > 0)
            return parts[1];
        var member = InPrefix().Match(s);
        return member.Success ? s[member.Length..] : s;
    }

    [GeneratedRegex(@"\\(left|right)(?![a-zA-Z])")]
    private static partial Regex LeftRight();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^\s*(\^\{?\d\}?)?\s*$")]
    private static partial Regex UnitExponent();

    [GeneratedRegex(@"^[a-zA-Z](_[a-zA-Z0-9])?\\in")]
    private static partial Regex InPrefix();

    [GeneratedRegex(@"([\^_])\{([a-zA-Z0-9])\}")]
    private static partial Regex SingleCharacterScript();

    // ".5" → "0.5" at the start or after a delimiter (hendrycks: leading ".", " .", "{.").
    [GeneratedRegex(@"(^|[{(\[,=+\-])\.(?=\d)")]
    private static partial Regex LeadingPoint();

    [GeneratedRegex(@"^\(([A-Z])\)$")]
    private static partial Regex LetterInParentheses();

    // "\pi/2", "3/4", "-2\pi/3": one slash between simple operands (no operators, no brackets).
    [GeneratedRegex(@"^(-?)([A-Za-z0-9\\.^{}]+)/([A-Za-z0-9\\.^{}]+)$")]
    private static partial Regex SimpleSlash();
}
