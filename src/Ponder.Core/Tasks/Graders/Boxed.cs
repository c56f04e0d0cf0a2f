namespace Ponder.Tasks.Graders;

/// <summary>Finds boxed answers: <c>\boxed{…}</c> (balanced braces), <c>\boxed 5</c>, <c>\fbox{…}</c>,
/// <c>\framebox{…}</c>.</summary>
public static class Boxed
{
    static readonly string[] Commands = [@"\boxed", @"\fbox", @"\framebox"];

    /// <summary>The content of the last complete boxed answer in <paramref name="text"/>, or null when there is none.
    /// A box whose braces never close is skipped in favour of an earlier complete one.</summary>
    public static string? Last(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var end = text.Length;
        while (true)
        {
            var (start, length) = LastCommand(text, end);
            if (start < 0)
                return null;
            var content = ContentAfter(text, start + length);
            if (content is not null)
                return content;
            end = start;
        }
    }

    /// <summary>The last boxing command that starts before <paramref name="end"/>: its index and length, or (-1,
    /// 0).</summary>
    static (int Start, int Length) LastCommand(string text, int end)
    {
        var best = (Start: -1, Length: 0);
        foreach (var command in Commands)
        {
            var searchEnd = Math.Min(end + command.Length - 1, text.Length);
            var index = searchEnd <= 0 ? -1 : text.LastIndexOf(command, searchEnd - 1, StringComparison.Ordinal);
            if (index >= 0 && index < end && index > best.Start && !IsLetterAt(text, index + command.Length))
                best = (index, command.Length);
        }
        return best;
    }

    static bool IsLetterAt(string text, int index) => index < text.Length && char.IsAsciiLetter(text[index]);

    /// <summary>The argument starting at <paramref name="position"/>: a braced group, or after spaces a bare token
    /// up to whitespace or <c>$</c> (hendrycks' <c>\boxed 5</c> form). Null when braces do not balance.</summary>
    static string? ContentAfter(string text, int position)
    {
        var i = position;
        while (i < text.Length && text[i] == ' ')
            i++;
        if (i < text.Length && text[i] == '{')
        {
            var close = Latex.MatchingBrace(text, i);
            return close < 0 ? null : text[(i + 1)..close];
        }
        if (i == position)
            return null; // "\boxedx" is not a box
        var stop = i;
        while (stop < text.Length && !char.IsWhiteSpace(text[stop]) && text[stop] != '$')
            stop++;
        return stop == i ? null : text[i..stop];
    }
}
