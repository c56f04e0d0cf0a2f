using System.Text.RegularExpressions;

namespace Ponder.Tasks.Code;

/// <summary>Finds the program in an answer: the last fenced code block (<c>```python … ```</c>) whose info string is
/// one of the language's tags or empty. A block left open at the end of the answer (a truncated answer) does not
/// count.</summary>
public static partial class CodeBlocks
{
    [GeneratedRegex(
        @"^[ \t]*(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$",
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
                string tag = m.Groups[2].Value;
                if (tag.Length == 0 || language.FenceTags.Contains(tag, StringComparer.OrdinalIgnoreCase))
                    code = m.Groups[3].Value;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
        return code is null || code.Trim().Length == 0 ? null : code;
    }
}
