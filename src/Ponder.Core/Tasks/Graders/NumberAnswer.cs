using System.Globalization;
using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>
/// GSM8K-style numeric answers. Extraction prefers a marked answer — the last <c>#### N</c>, else the last
/// <c>\boxed{…}</c>, else the last "the answer is N" / "answer: N", else a final-answer phrase with a LaTeX value as
/// Math-Verify reads it ("The final answer is $\frac{3}{4}$") — and only then falls back to the last number in the
/// text. Numbers may carry thousands separators, a leading <c>$</c>, a trailing <c>%</c>, a sign and decimals;
/// they compare as <see cref="decimal"/> (18 = 18.0 = 18.00).
/// </summary>
public static partial class NumberAnswer
{
    /// <summary>The number <paramref name="text"/> states as its answer, or null when it states none.</summary>
    public static decimal? Extract(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Replace('\u2212', '-'); // U+2212 MINUS SIGN, common in chat output
        var hashes = Hashes().Matches(text);
        if (hashes.Count > 0)
            return Parse(hashes[^1].Groups[1].Value);

        var boxed = Boxed.Last(text);
        if (boxed is not null)
            return BoxedNumber(boxed);

        var stated = AnswerIs().Matches(text);
        if (stated.Count > 0)
            return Parse(stated[^1].Groups[1].Value);

        if (AnswerExtraction.MarkedNumber(text) is { } marked)
            return ToDecimal(marked);

        return LastNumber(text);
    }

    /// <summary>Parses a gold or stated number ("1,234", "-10", "$18.00", "50%"); null when it is not one.</summary>
    public static decimal? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Whole().Match(text.Trim());
        return match.Success ? ToDecimal(match.Groups[1].Value) : null;
    }

    /// <summary>The canonical text of a number: invariant, no separators, no trailing zeros ("18", "-0.5").</summary>
    public static string Canonical(decimal value) =>
        value == 0 ? "0" : value.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>A boxed number: an exact fraction or decimal (\frac{1}{2} → 0.5, \$18 → 18), else the last number
    /// of the normalised content (\boxed{18 \text{ dollars}} → 18).</summary>
    static decimal? BoxedNumber(string boxed) =>
        MathAnswer.TryNumber(boxed, out var exact) ? ToDecimal(exact) : LastNumber(MathNormalizer.Normalize(boxed));

    static decimal? ToDecimal(Rational exact)
    {
        try
        {
            return (decimal)exact.Numerator / (decimal)exact.Denominator;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    static decimal? LastNumber(string text)
    {
        var numbers = Number().Matches(text);
        return numbers.Count == 0 ? null : ToDecimal(numbers[^1].Value);
    }

    static decimal? ToDecimal(string number) =>
        decimal.TryParse(
            number.Replace(",", "", StringComparison.Ordinal),
            NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
            CultureInfo.InvariantCulture,
            out var value
        )
            ? value
            : null;

    // A number: optional sign (not a minus between operands like "3-5"), groups of three after commas, decimals.
    const string NumberPattern = @"(?<![\w.)\]])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])|(?<![\w.])-?\.\d+";

    [GeneratedRegex(NumberPattern)]
    private static partial Regex Number();

    [GeneratedRegex(@"^\\?\$?\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+)\s*(?:\\?%)?\.?$")]
    private static partial Regex Whole();

    [GeneratedRegex(@"####\s*\\?\$?\s*(-?[\d,]*\.?\d+)")]
    private static partial Regex Hashes();

    [GeneratedRegex(
        @"answer(?:\s+is)?\s*:?\s*\\?\$?\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)",
        RegexOptions.IgnoreCase
    )]
    private static partial Regex AnswerIs();
}
