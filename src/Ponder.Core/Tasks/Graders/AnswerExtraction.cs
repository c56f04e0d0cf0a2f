using System.Text.RegularExpressions;
using Ponder.Tasks.Graders.Symbolic;

namespace Ponder.Tasks.Graders;

/// <summary>An answer read from text: its parsed value (null when nothing parsed) and the text of the first
/// candidate found, which Math-Verify also compares as a string when parsing fails.</summary>
sealed record ExtractedAnswer(Node? Value, string? Text)
{
    public static ExtractedAnswer None { get; } = new(null, null);

    public bool IsEmpty => Value is null && string.IsNullOrEmpty(Text);
}

/// <summary>
/// Math-Verify's extraction (<c>extract_target_from_pred</c>): the patterns of <see cref="ExtractionPatterns"/>
/// by priority; within a priority every match of every pattern, rightmost first; the first that parses is the
/// answer. LaTeX spans are normalised (<see cref="LatexNormalization"/>) and parsed; several spans joined by
/// "and"/commas form a set; a percent sign after a span makes it a percent. A plain number takes thousands
/// separators ("1,000.99", "1 000") and a decimal comma where it cannot be a thousands group ("2,74").
/// </summary>
static class AnswerExtraction
{
    static readonly string[] Groups =
    [
        "latexDisplayDollar",
        "latexDisplayBracket",
        "latexInlineDollar",
        "latexInlineParenthesis",
        "latexInlineBracket",
        "latexFraction",
        "latexBoxed",
    ];

    static readonly string[] Prefixes = ["first_", "next1_", "next2_", "next3_", "next4_", "next5_"];

    /// <summary>The answer in <paramref name="text"/>, trying patterns up to <paramref name="maxPriority"/>
    /// (200 leaves out the last-resort "any span or number" patterns).</summary>
    public static ExtractedAnswer Extract(string text, bool latex, bool plain, int maxPriority = int.MaxValue)
    {
        string? fallback = null;
        var patterns = ExtractionPatterns.For(latex, plain).Where(p => p.Priority <= maxPriority);
        foreach (var group in patterns.GroupBy(p => p.Priority))
        {
            var matches = group
                .SelectMany(p => Matches(p, text))
                .OrderByDescending(m => m.Match.Index + m.Match.Length)
                .ThenBy(m => m.Match.Index);
            foreach (var (match, target) in matches)
            {
                var (value, source) = target == ExtractionTarget.Latex ? FromLatex(match) : FromPlain(match);
                if (!string.IsNullOrEmpty(source))
                    fallback ??= source;
                if (value is not null)
                    return new ExtractedAnswer(value, fallback);
            }
        }
        return new ExtractedAnswer(null, fallback);
    }

    /// <summary>The number a marked answer states (a box or an answer phrase, not any span): for graders whose
    /// answers are numbers. A percent is its number; an equation its right side; null when the answer is not a
    /// number.</summary>
    public static Rational? MarkedNumber(string text)
    {
        var answer = Extract(text, latex: true, plain: true, maxPriority: 200);
        return answer.Value is { } value ? NumberOf(value) : null;
    }

    static Rational? NumberOf(Node node) =>
        node switch
        {
            Percent p => NumberOf(p.Value),
            Relation { IsEquation: true } r => NumberOf(r.Operands[^1]),
            _ when Printer.Variables(node).Count == 0 => Exact.Rational(node),
            _ => null,
        };

    static IEnumerable<(Match Match, ExtractionTarget Target)> Matches(ExtractionPattern pattern, string text)
    {
        var found = new List<(Match, ExtractionTarget)>();
        try
        {
            foreach (Match m in pattern.Regex.Matches(text))
                found.Add((m, pattern.Target));
        }
        catch (RegexMatchTimeoutException)
        {
            // A pattern that cannot decide in time finds nothing; the other patterns still run.
        }
        return found;
    }

    static (Node? Value, string Source) FromLatex(Match match)
    {
        var values = new List<Node?>();
        var sources = new List<string>();
        foreach (var prefix in Prefixes)
        {
            var name = Groups.FirstOrDefault(g => match.Groups[prefix + g].Success);
            if (name is null)
                continue;
            var mode = name == "latexBoxed" ? LatexNormalization.BoxedMode.Last : LatexNormalization.BoxedMode.All;
            var normalized = LatexNormalization.Normalize(match.Groups[prefix + name].Value, mode);
            sources.Add(normalized);
            var value = Parser.Parse(normalized);
            values.Add(value is not null && match.Groups[prefix + "percent"].Success ? new Percent(value) : value);
        }
        if (values.Count == 0)
            return (null, "");
        if (values.Count > 1 && values.All(v => v is not null))
        {
            // "$1$, $2$ and $3$": one set of all the spans.
            var items = values.SelectMany(v => v is Seq { Kind: SeqKind.List or SeqKind.Set } s ? s.Items : [v!]);
            return (new Seq(SeqKind.List, items.ToList()), string.Join(" and ", sources));
        }
        return (values[0], sources[0]);
    }

    static (Node? Value, string Source) FromPlain(Match match)
    {
        var integer = Prefixed(match, "integer");
        var fraction = Prefixed(match, "decimal");
        if (integer.Length > 0 || fraction.Length > 0)
        {
            integer = integer.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
            var negative = integer.StartsWith('-');
            integer = integer.TrimStart('-').TrimStart('0');
            var number = (negative ? "-" : "") + (integer.Length == 0 ? "0" : integer) + fraction.Replace(',', '.');
            if (!Rational.TryParseDecimal(number, out var value))
                return (null, number);
            Node node = new Num(value, fraction.Length > 0);
            return (match.Groups["percent"].Success ? new Percent(node) : node, number);
        }
        var expr = match.Groups["expr"].Value;
        return expr.Length == 0 ? (null, "") : (Parser.Parse(expr.Replace('\n', ' ')), expr);
    }

    static string Prefixed(Match match, string name)
    {
        for (var i = 1; i <= 3; i++)
        {
            var g = match.Groups[name + i.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            if (g.Success && g.Value.Length > 0)
                return g.Value;
        }
        return "";
    }
}
