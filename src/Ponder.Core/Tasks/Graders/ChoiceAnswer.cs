using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>Multiple-choice answers: a letter A–J. Extraction, in order of trust: the last <c>\boxed{B}</c>, the last
/// "answer is (B)" / "Answer: B", the last "(B)", and as a last resort the last standalone capital letter. Only
/// letters among the problem's choices count (with four choices the pronoun "I" is never read as an answer; the
/// article "A" can be, which is why the prompt asks for "Answer: X").</summary>
public static partial class ChoiceAnswer
{
    /// <summary>The letter <paramref name="text"/> chooses among the first <paramref name="choices"/> letters, or
    /// null.</summary>
    public static char? Extract(string text, int choices)
    {
        ArgumentNullException.ThrowIfNull(text);
        var boxed = Boxed.Last(text);
        if (boxed is not null)
            return Letter(MathNormalizer.Normalize(boxed), choices);

        foreach (var pattern in new[] { Stated(), Parenthesized(), Standalone() })
        {
            var matches = pattern.Matches(text).Where(m => Letter(m.Groups[1].Value, choices) is not null).ToList();
            if (matches.Count > 0)
                return matches[^1].Groups[1].Value[0];
        }
        return null;
    }

    /// <summary>The letter of a gold answer: "B", "(b)", or a 0-based index "1" → 'B'; null when out of
    /// range.</summary>
    public static char? Gold(string reference, int choices)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var trimmed = reference.Trim().Trim('(', ')', '.').ToUpperInvariant();
        if (int.TryParse(trimmed, out var index))
            return index >= 0 && index < choices ? (char)('A' + index) : null;
        return Letter(trimmed, choices);
    }

    static char? Letter(string text, int choices) =>
        text.Length == 1 && text[0] >= 'A' && text[0] < 'A' + choices ? text[0] : null;

    [GeneratedRegex(@"(?i:answer)(?:\s+(?i:is))?\s*:?\s*\**\(?([A-J])\b")]
    private static partial Regex Stated();

    [GeneratedRegex(@"\(([A-J])\)")]
    private static partial Regex Parenthesized();

    [GeneratedRegex(@"\b([A-J])\b")]
    private static partial Regex Standalone();
}
