using System.Globalization;
using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>What a pattern extracts: LaTeX (math spans, boxes) or a plain number or expression.</summary>
enum ExtractionTarget
{
    Latex,
    Plain,
}

/// <summary>One extraction regex with its priority (lower is tried first).</summary>
sealed record ExtractionPattern(Regex Regex, ExtractionTarget Target, int Priority);

/// <summary>
/// Math-Verify's extraction regexes (parser.py, Apache-2.0), kept pattern for pattern so free text is read as the
/// reference reads it. Priorities: 0 — a box, or "final answer is $X$. I hope"; 50 — "final answer … is X";
/// 100 — "answer: … X"; 200 — "answer … X"; 300 — any math span or plain number/expression. Within a priority the
/// rightmost match wins.
/// </summary>
static class ExtractionPatterns
{
    const int BoxedPriority = 0;
    static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(250);

    const string Currency = "$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₭₮₯₰₱₲₳₴₵₶₷₸₺₻₼₾₿";
    const string Number =
        @"(?<!\d)(?:(?<integer1>-?[1-9]\d{0,2}(?:[ ,]\d{3})+)(?<decimal1>\.\d+)?|(?<integer2>-?\d+)(?<decimal2>[.,]\d+)|"
        + @"(?<decimal3>\.\d+)|(?<integer3>-?\d+))(?<percent>\s*(?:%|[Pp]ercent|\s*[Pp]ercentage|\s*[Pp]ct))?";
    const string Operators = @"+\-*×/^()÷";
    const string ExprChars = @"[\d.\s" + Operators + "]";
    const string Expr = @"(?<expr>-?\(?-?\d" + ExprChars + "*[" + Operators + "]" + ExprChars + @"+\)?)";
    const string Prefix = @"(?:^|\s|=)(?:\*\*)?";
    const string Suffix = @"(?:\*\*)?(?:\.|,|:|\s|\)|\$|$)";
    const string ExprAnchored = "(?:" + Prefix + Expr + Suffix + ")";
    const string NumberAnchored = "(?:" + Prefix + "[" + Currency + "]?" + Number + ")";
    const string ExprOrNumber = "(?:" + ExprAnchored + "|" + NumberAnchored + ")";

    /// <summary>The patterns for the given targets, by priority.</summary>
    public static IReadOnlyList<ExtractionPattern> For(bool latex, bool plain) =>
        (latex ? LatexPatterns : []).Concat(plain ? PlainPatterns : []).OrderBy(p => p.Priority).ToList();

    static readonly ExtractionPattern[] PlainPatterns =
    [
        Plain(@"(?i:final answer is)\:?\s*" + ExprOrNumber + @"\.?\s?I hope", 0),
        Plain(@"(?i:final answer.{0,100}?)\s+is\:?" + ExprOrNumber, 50),
        Plain(@"(?i:answer):(?:.{0,100}=\s*|.{0,50}?)" + ExprOrNumber + @"(?!\s*=)", 100),
        Plain(@"(?i:answer)(?:.{0,100}=\s*|.{0,50}?)" + ExprOrNumber + @"(?!\s*=)", 200),
        Plain(ExprAnchored, 300),
        Plain(NumberAnchored, 300),
    ];

    static readonly ExtractionPattern[] LatexPatterns = BuildLatex();

    static ExtractionPattern Plain(string pattern, int priority) =>
        new(new Regex(pattern, RegexOptions.Compiled, Budget), ExtractionTarget.Plain, priority);

    static ExtractionPattern Latex(string pattern, int priority) =>
        new(
            new Regex(pattern, RegexOptions.Singleline | RegexOptions.Compiled, Budget),
            ExtractionTarget.Latex,
            priority
        );

    static ExtractionPattern[] BuildLatex()
    {
        var envs = Environment("first_", boxed: false) + Next(boxed: false);
        var boxedEnvs = Environment("first_", boxed: true) + Next(boxed: true);
        return
        [
            Latex(@"(?i:final answer is)\:?\s*" + envs + @"\.?\s?I hope", 0),
            Latex(@"(?i:final answer.{0,100}?)\s+is\:?\s*" + envs, 50),
            Latex(@"(?i:answer):.{0,50}?" + envs, 100),
            Latex(@"(?i:answer).{0,50}?" + envs, 200),
            Latex(envs, 300),
            Latex(boxedEnvs, BoxedPriority),
            Latex(@"(?<first_latexBoxed>\\boxed{.+})", BoxedPriority),
        ];
    }

    /// <summary>Up to five more spans joined by "and", "or" or commas ("$1$, $2$ and $3$").</summary>
    static string Next(bool boxed)
    {
        var text = "";
        for (var i = 1; i <= 5; i++)
        {
            var group = Environment("next" + i.ToString(CultureInfo.InvariantCulture) + "_", boxed);
            text += (boxed ? @"\s*" : "") + @"(?:\s*(?:,?and|,?or|,)\s*" + group + ")?";
        }
        return text;
    }

    /// <summary>One math span — $$…$$, \[…\], $…$, \(…\), " […] ", or a bare <c>\frac{a}{b}</c> of numbers — with an
    /// optional percent after it; with <paramref name="boxed"/>, only spans holding a box.</summary>
    static string Environment(string prefix, bool boxed)
    {
        string displayDollar = @"(?:[^$]|\$(?!\$))",
            displayBracket = @"(?:[^\\]|\\(?!\]))",
            inlineDollar = @"(?:\\[$]|[^\n$])",
            inlineParen = @"(?:[^\\\n]|\\(?!\)))",
            inlineBracket = @"[^\n\]\[]";
        string Content(string c) => boxed ? $@"{c}*?\\boxed{{{c}+?}}{c}*?" : c + "+?";
        var patterns = new List<string>
        {
            $@"(?<!\\)\$\$(?<{prefix}latexDisplayDollar>{Content(displayDollar)})(?<!\\)\$\$",
            $@"(?<!\\)\\\[(?<{prefix}latexDisplayBracket>{Content(displayBracket)})(?<!\\)\\\]",
            $@"(?<!\\|\d)\$(?<{prefix}latexInlineDollar>{Content(inlineDollar)})(?<!\\)\$",
            $@"(?<!\\)\\\((?<{prefix}latexInlineParenthesis>{Content(inlineParen)})(?<!\\)\\\)",
            $@"\s\[(?<{prefix}latexInlineBracket>{Content(inlineBracket)})\]\s",
        };
        if (!boxed)
        {
            const string simple = @"-?\d+(?:[.,]\d+)?";
            patterns.Add($@"(?<{prefix}latexFraction>-?\\frac{{{simple}}}{{{simple}}})");
        }
        var percent = $@"(?<{prefix}percent>(?:\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct))";
        return $@"(?:(?:{string.Join("|", patterns)})\s*{percent}?)";
    }
}
