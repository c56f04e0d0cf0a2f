namespace Ponder.Tasks.Graders;

/// <summary>
/// Math-Verify's <c>extract_boxed_content</c> (latex2sympy2_extended, MIT): the content of <c>\boxed{…}</c> and
/// <c>\fbox{…}</c>, searched from the right. All boxes, joined by commas; or only the last, together with the boxes
/// right before it when they are close (under 10 characters apart) or separated by a comma, "and" or "or" within 70
/// characters (<c>\boxed{1} and \boxed{2}</c> is "1,2"; <c>\boxed{1} no no no \boxed{2}</c> is "2"). Text without a
/// box is returned unchanged; a box whose brace never closes yields the rest of the text.
/// </summary>
static class BoxedContent
{
    public static string Extract(string text, bool lastOnly)
    {
        ArgumentNullException.ThrowIfNull(text);
        var results = new List<string>();
        var current = text.Length;
        var maxPos = text.Length;
        int? lastStart = null;
        while (true)
        {
            var boxed = current <= 0 ? -1 : text.LastIndexOf(@"\boxed", current - 1, StringComparison.Ordinal);
            var fbox = current <= 0 ? -1 : text.LastIndexOf(@"\fbox", current - 1, StringComparison.Ordinal);
            if (boxed < 0 && fbox < 0)
                break;
            var start = Math.Max(boxed, fbox);
            var brace = start + (boxed > fbox ? 6 : 5);
            while (brace < maxPos && char.IsWhiteSpace(text[brace]))
                brace++;
            if (brace >= maxPos)
                break;
            if (text[brace] != '{')
            {
                if (results.Count == 0)
                    results.Add(text[brace..]);
                break;
            }
            var end = Close(text, brace, maxPos);
            if (end < 0)
            {
                if (results.Count == 0)
                    results.Add(text[brace..]);
                break;
            }
            var content = text[(brace + 1)..end].Trim();
            if (
                lastOnly
                && lastStart is { } next
                && !Joined(text, content, results.Count > 0 ? results[^1] : "", end, next)
            )
            {
                break;
            }

            if (results.Count == 0 || results[^1] != content)
                results.Add(content);
            lastStart = start;
            maxPos = start;
            current = start;
        }
        if (results.Count == 0)
            return text;
        results.Reverse();
        return string.Join(",", results);
    }

    /// <summary>The index of the brace closing the one at <paramref name="open"/> before <paramref name="max"/>
    /// (no escapes: Math-Verify counts every brace), or -1.</summary>
    static int Close(string text, int open, int max)
    {
        var depth = 1;
        for (var i = open + 1; i < max; i++)
        {
            depth +=
                text[i] == '{' ? 1
                : text[i] == '}' ? -1
                : 0;
            if (depth == 0)
                return i;
        }
        return -1;
    }

    static bool Joined(string text, string content, string nextContent, int end, int nextStart)
    {
        var between = end + 1 <= nextStart ? text[(end + 1)..nextStart] : "";
        if (between.Length < 10)
            return true;
        return nextContent != content && between.Length < 70 && Separator(between);
    }

    static bool Separator(string between) =>
        between.Contains(',', StringComparison.Ordinal)
        || between.Contains(';', StringComparison.Ordinal)
        || System.Text.RegularExpressions.Regex.IsMatch(between, @"\b(and|or)\b");
}
