using System.Text.RegularExpressions;

namespace Ponder.Tasks.Code;

/// <summary>Finds the program in an answer: the last fenced code block (<c>```python … ```</c>) whose info string is
/// one of the language's tags or empty. A block left open at the end of the answer (a truncated answer) does not
/// count.</summary>
public static partial class CodeBlocks
{
    [GeneratedRegex(
        @"^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*\n(.*?)^[ \t]*\2[ \t]*$",
        RegexOptions.Multiline | RegexOptions.Singleline,
        matchTimeoutMilliseconds: 1000
    )]
    private static partial Regex Fence();

    /// <summary>The last block's code, or null when the answer has none in <paramref name="language"/>.</summary>
    public static string? Last(string answer, CodeLanguage language)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(language);
        string? code = null;
        try
        {
            foreach (Match m in Fence().Matches(answer.Replace("\r\n", "\n", StringComparison.Ordinal)))
            {
                string tag = m.Groups[3].Value;
                if (tag.Length == 0 || language.FenceTags.Contains(tag, StringComparer.OrdinalIgnoreCase))
                    code = Dedent(m.Groups[4].Value, m.Groups[1].Value.Length);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
        return code is null || code.Trim().Length == 0 ? null : code;
    }

    /// <summary>A fence indented inside a list item indents its code as much (CommonMark): that much is removed from
    /// each line.</summary>
    static string Dedent(string code, int indent)
    {
        if (indent == 0)
            return code;
        var lines = code.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int strip = 0;
            while (strip < indent && strip < lines[i].Length && lines[i][strip] is ' ' or '\t')
                strip++;
            lines[i] = lines[i][strip..];
        }
        return string.Join('\n', lines);
    }
}
