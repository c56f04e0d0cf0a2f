using System.Globalization;
using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>AIME answers: an integer 0–999; zero padding is ignored ("025" = 25).</summary>
public static partial class AimeAnswer
{
    /// <summary>The answer of <paramref name="text"/>: the last <c>\boxed{}</c> content if any, else a marked answer
    /// as Math-Verify reads it ("Final Answer: $25$", "the answer is 25"), else the last number; null when that is
    /// not an integer in 0..999 (such an answer cannot be right and never wins a vote).</summary>
    public static int? Extract(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var boxed = Boxed.Last(text);
        if (boxed is not null)
            return Parse(boxed);
        if (AnswerExtraction.MarkedNumber(text) is { } marked)
            return marked.IsInteger && marked.Numerator >= 0 && marked.Numerator <= 999 ? (int)marked.Numerator : null;
        var numbers = Number().Matches(text);
        return numbers.Count == 0 ? null : Parse(numbers[^1].Value);
    }

    /// <summary>Parses an answer or gold ("025", "25", "\text{25}", "25.0"); null unless an integer in
    /// 0..999.</summary>
    public static int? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = MathNormalizer.Normalize(text);
        if (Digits().IsMatch(normalized))
        {
            var value = int.Parse(
                normalized.TrimStart('0') is { Length: > 0 } t ? t : "0",
                CultureInfo.InvariantCulture
            );
            return value <= 999 ? value : null;
        }
        if (!MathAnswer.TryNumber(text, out var number) || !number.IsInteger)
            return null;
        return number.Numerator >= 0 && number.Numerator <= 999 ? (int)number.Numerator : null;
    }

    [GeneratedRegex(@"^\d{1,4}$")]
    private static partial Regex Digits();

    [GeneratedRegex(@"(?<![\w.])-?\d+(?:\.\d+)?")]
    private static partial Regex Number();
}
