using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>
/// Cleans an extracted LaTeX answer before parsing, as Math-Verify's <c>normalize_latex</c> (from
/// latex2sympy2_extended, MIT) does with the settings its extraction uses: boxed content, basic LaTeX (<c>\left</c>,
/// <c>\dfrac</c>, dollars, quotes, "and"/"or" as commas, percent words), units at the end (<c>\text{ cm}^2</c>,
/// "miles"), small fixes (a leading <c>.5</c>) and malformed operators (<c>\frac12</c>, <c>\sqrt3</c>,
/// <c>sqrt(2)</c>, <c>3/4</c>). Its regexes are kept as they are so extraction agrees with the reference.
/// </summary>
static partial class LatexNormalization
{
    static readonly TimeSpan RegexBudget = TimeSpan.FromMilliseconds(200);

    static readonly (string Name, string Pattern, string Replacement)[] Replacements =
    [
        ("math", @"\\math(?:rm|it|bf)", @"\text"),
        ("text", @"\\text(?:normal|bf|it|rm)", @"\text"),
        ("frac", @"\\(?:d|t|c)frac", @"\frac"),
        ("decimalspace", @"\s\.", " 0."),
        ("decimalbrace", @"\{\.", "{0."),
        ("approx", @"\~\=", @"\approx"),
        ("comma", @"\s*\{\s*,\s*\}", ","),
        ("andor", @"(?<![a-zA-Z])(,?\s*(?:and|or))(?![a-zA-Z])", ","),
        ("andortext", @"(,?\s*\\text{\s*(?:and|or)\s*})", ","),
        ("backslashspace", @"(?<!\\)\\\s", " "),
        ("infinity", "infinity", @"\infty"),
        ("dot", @",?(\\ldots)", " "),
        ("percentage", @"\s*\bpercentage\b", @"\%"),
        ("percentageintext", @"\\text{percentage}", "%"),
        ("percent", @"\s*\bpercent\b", @"\%"),
        ("percentintext", @"\\text{percent}", "%"),
        ("pct", @"\s*\bpct\b", @"\%"),
        ("pctintext", @"\\text{pct}", "%"),
        ("inf", @"((?<!\\)inf(?!inity))", @"\infty"),
        ("sqrt", " sqrt", @"\sqrt"),
    ];

    static readonly Regex Replace = new(
        string.Join("|", Replacements.Select(r => $"(?<{r.Name}>{r.Pattern})")),
        RegexOptions.Compiled,
        RegexBudget
    );

    static readonly string[] Units =
    [
        "integerpoint",
        "feet",
        "sue",
        "digit",
        "pound",
        "meal",
        "edge",
        "student",
        "children ticket",
        "multiple",
        "east",
        "degree",
        "mph",
        "kmph",
        "ft",
        "m square",
        " m east",
        "sq m",
        "deg",
        "mile",
        "q .",
        "monkey",
        "prime",
        "ratio",
        "profit of rs",
        "rd",
        "o",
        "gm",
        "p . m",
        "lb",
        "tile",
        "per",
        "dm",
        "lt",
        "gain",
        "ab",
        "way",
        "west",
        "a .",
        "b .",
        "c .",
        "d .",
        "e .",
        "f .",
        "g .",
        "h .",
        "t",
        "h",
        "no change",
        "men",
        "soldier",
        "pie",
        "bc",
        "excess",
        "st",
        "inches",
        "noon",
        "cent",
        "by",
        "gal",
        "kmh",
        "c",
        "acre",
        "rise",
        "a . m",
        "th",
        "π r 2",
        "sq",
        "mark",
        "l",
        "toy",
        "coin",
        "sq . m",
        "gallon",
        "° f",
        "profit",
        "minw",
        "yr",
        "women",
        "am",
        "pm",
        "hr",
        "cu cm",
        "square",
        "v â € ™",
        "are",
        "rupee",
        "rounds",
        "cubic",
        "cc",
        "mtr",
        "s",
        "ohm",
        "number",
        "kmph",
        "day",
        "hour",
        "minute",
        "min",
        "second",
        "man",
        "woman",
        "sec",
        "cube",
        "mt",
        "sq inch",
        "mp",
        "∏ cm ³",
        "hectare",
        "more",
        "sec",
        "unit",
        "cu . m",
        "cm 2",
        "rs .",
        "rs",
        "kg",
        "g",
        "month",
        "km",
        "m",
        "cm",
        "mm",
        "apple",
        "liter",
        "loss",
        "yard",
        "pure",
        "year",
        "increase",
        "decrease",
        "d",
        "less",
        "Surface",
        "litre",
        "pi sq m",
        "s .",
        "metre",
        "meter",
        "inch",
    ];

    static readonly Regex UnitWords = new(
        $@"(\d|\}}|\s)\s*(?:(?:{string.Join("|", Units)})(?:s|es)?)\s*$",
        RegexOptions.Compiled,
        RegexBudget
    );

    /// <summary>How boxed content is taken: every box joined by commas, or the last one (with the boxes right
    /// before it when a comma, "and" or "or" separates them).</summary>
    public enum BoxedMode
    {
        All,
        Last,
    }

    /// <summary>The normalised form of <paramref name="text"/>; never throws (a regex past its time bound leaves
    /// the text as it was).</summary>
    public static string Normalize(string text, BoxedMode boxed)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            text = BoxedContent.Extract(text, boxed == BoxedMode.Last);
            text = Basic(text);
            text = RemoveUnits(text);
            if (text.Length > 0 && text[0] == '.')
                text = "0" + text;
            if (text == "0.5")
                text = @"\frac{1}{2}";
            return MalformedOperators.Fix(text).Trim();
        }
        catch (RegexMatchTimeoutException)
        {
            return text.Trim();
        }
    }

    static string Basic(string text)
    {
        text = text.Replace(@"\mathrm{T}", "T", StringComparison.Ordinal)
            .Replace(@"\mathrm{d}", "d", StringComparison.Ordinal)
            .Replace(@"{\rm d}", "d", StringComparison.Ordinal)
            .Replace(@"\left[\begin{matrix}", @"\begin{bmatrix}", StringComparison.Ordinal)
            .Replace(@"\end{matrix}\right]", @"\end{bmatrix}", StringComparison.Ordinal);
        text = Left().Replace(text, "$1");
        text = Right().Replace(text, "$1");
        text = Permutation().Replace(text, @"\frac{($1)!}{(($1)-($2))!}");
        text = Removed().Replace(text, "");
        text = Replace.Replace(text, m => Replacements.First(r => m.Groups[r.Name].Success).Replacement);
        text = text.Replace('\n', ' ').Replace('\t', ' ');
        if (!text.Contains("matrix", StringComparison.Ordinal))
            text = DoubledBackslash().Replace(text, @"\");
        return text;
    }

    static string RemoveUnits(string text)
    {
        var stripped = UnitText().Replace(text, "").Trim();
        if (stripped.Length > 0 && stripped != text)
            text = stripped;
        for (var i = 0; i < 2; i++)
        {
            stripped = UnitWords.Replace(text, "$1");
            // Math-Verify would also strip a trailing "c" of "x + c"; a unit follows a value, never an operator.
            if (stripped.Length > 0 && stripped != text && !EndsWithOperator().IsMatch(stripped))
                text = stripped;
        }
        return text;
    }

    [GeneratedRegex(
        @"\\m?left(\\\{|\{|\\\||\||\[|\(|\\rbracl|\\lgroup|\\lbrace|\\lbrack|\\vert|\\lvert|\\lceil|\\lfloor|\\vert|\\lvert|\\langle|\\llcorner|\\ulcorner)",
        RegexOptions.None,
        200
    )]
    private static partial Regex Left();

    [GeneratedRegex(
        @"\\m?right(\\\}|\}|\\\||\||\]|\)|\\rbrack|\\rgroup|\\rbrace|\\rbrack|\\vert|\\rvert|\\rceil|\\rfloor|\\vert|\\rvert|\\rangle|\\lrcorner|\\urcorner)",
        RegexOptions.None,
        200
    )]
    private static partial Regex Right();

    [GeneratedRegex(@"\(([a-zA-Z0-9+\-*/\\ ]+?)\)_{([a-zA-Z0-9+\-*/\\ ]+?)}", RegexOptions.None, 200)]
    private static partial Regex Permutation();

    [GeneratedRegex(
        @"\\mathrm\{th\}|\\!\s*|\\text\s*\{\s*\}|\\\$|\$|(?<!\\)[""']|\\displaystyle",
        RegexOptions.None,
        200
    )]
    private static partial Regex Removed();

    [GeneratedRegex(@"\\\\(?=[a-zA-Z])", RegexOptions.None, 200)]
    private static partial Regex DoubledBackslash();

    [GeneratedRegex(@"(\\(?:text|mbox){.*?})(\^\d|\{\^\d\})?$", RegexOptions.None, 200)]
    private static partial Regex UnitText();

    [GeneratedRegex(@"[+\-*/=^(]\s*$", RegexOptions.None, 200)]
    private static partial Regex EndsWithOperator();
}
