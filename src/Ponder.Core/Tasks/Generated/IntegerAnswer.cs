using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Ponder.Tasks.Generated;

/// <summary>
/// The arithmetic grader's extraction: the LAST integer in the text, an optional leading minus, thousands commas
/// accepted only in groups of three ("1,234" → 1234; "12,34" reads as two integers, 12 and 34). Its normal form
/// (no leading zeros, no "-0") is the canonical answer.
/// </summary>
static partial class IntegerAnswer
{
    [GeneratedRegex(@"-?\d{1,3}(?:,\d{3})+(?!\d)|-?\d+")]
    private static partial Regex IntegerPattern();

    /// <summary>The canonical form of the last integer in <paramref name="text"/>, or null when there is
    /// none.</summary>
    public static string? Extract(string text)
    {
        var matches = IntegerPattern().Matches(text);
        if (matches.Count == 0)
            return null;
        string digits = matches[^1].Value.Replace(",", "", StringComparison.Ordinal);
        return BigInteger
            .Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            .ToString(CultureInfo.InvariantCulture);
    }

    public static Grade Grade(string reference, string answerText) =>
        Extract(answerText) is { } canonical ? new Grade(canonical == reference, canonical) : Tasks.Grade.NoAnswer;
}
