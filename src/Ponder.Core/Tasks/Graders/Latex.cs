using System.Text;

namespace Ponder.Tasks.Graders;

/// <summary>Small LaTeX string helpers shared by the graders.</summary>
public static class Latex
{
    /// <summary>The index of the bracket closing the one at <paramref name="open"/> (any of <c>{([</c> against any of
    /// <c>})]</c> when <paramref name="anyKind"/>, else braces only; <c>\{</c> and <c>\}</c> count as braces), or
    /// -1.</summary>
    public static int MatchingBrace(string text, int open, bool anyKind = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is not ('{' or '}'))
            {
                i++;
                continue;
            }
            if (c == '{' || (anyKind && c is '(' or '['))
            {
                depth++;
            }
            else if (c == '}' || (anyKind && c is ')' or ']'))
            {
                depth--;
                if (depth == 0)
                    return i;
                if (depth < 0)
                    return -1;
            }
        }
        return -1;
    }

    /// <summary>Splits <paramref name="text"/> at <paramref name="separator"/> where no bracket is open.</summary>
    public static List<string> SplitTopLevel(string text, string separator)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(separator);
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '{' or '}')
            {
                depth += text[i + 1] == '{' ? 1 : -1;
                i++;
                continue;
            }
            if (c is '{' or '(' or '[')
            {
                depth++;
            }
            else if (c is '}' or ')' or ']')
            {
                depth--;
            }
            else if (depth == 0 && string.CompareOrdinal(text, i, separator, 0, separator.Length) == 0)
            {
                parts.Add(text[start..i]);
                start = i + separator.Length;
                i = start - 1;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }

    /// <summary>Rewrites every <c>\command{X}</c> (balanced) to <c>X</c>, e.g. <c>\text{east}</c> →
    /// <c>east</c>.</summary>
    public static string Unwrap(string text, string command)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(command);
        var head = command + "{";
        var output = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var at = text.IndexOf(head, i, StringComparison.Ordinal);
            var close = at < 0 ? -1 : MatchingBrace(text, at + command.Length);
            if (close < 0)
            {
                output.Append(text, i, text.Length - i);
                break;
            }
            output.Append(text, i, at - i).Append(text, at + head.Length, close - at - head.Length);
            i = close + 1;
        }
        return output.ToString();
    }

    /// <summary>Braces the arguments of <paramref name="command"/> when given as single characters:
    /// with <paramref name="arguments"/> = 2, <c>\frac12</c> → <c>\frac{1}{2}</c>, <c>\frac9{19}</c> →
    /// <c>\frac{9}{19}</c>; with 1, <c>\sqrt3</c> → <c>\sqrt{3}</c>. Expects spaces already removed; <c>\sqrt[3]{x}</c>
    /// is left alone.</summary>
    public static string BraceArguments(string text, string command, int arguments)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(command);
        var output = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var at = text.IndexOf(command, i, StringComparison.Ordinal);
            if (at < 0)
            {
                output.Append(text, i, text.Length - i);
                break;
            }
            output.Append(text, i, at - i).Append(command);
            i = at + command.Length;
            for (var k = 0; k < arguments && i < text.Length; k++)
            {
                if (text[i] == '[')
                    break;
                if (text[i] == '{')
                {
                    var close = MatchingBrace(text, i);
                    if (close < 0)
                        break;
                    output.Append(text, i, close + 1 - i);
                    i = close + 1;
                }
                else if (text[i] == '\\')
                {
                    var stop = i + 1;
                    while (stop < text.Length && char.IsAsciiLetter(text[stop]))
                        stop++;
                    output.Append('{').Append(text, i, stop - i).Append('}');
                    i = stop;
                }
                else
                {
                    output.Append('{').Append(text[i]).Append('}');
                    i++;
                }
            }
        }
        return output.ToString();
    }
}
