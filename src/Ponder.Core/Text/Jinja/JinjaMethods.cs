using System.Globalization;

namespace Ponder.Text.Jinja;

/// <summary>The methods templates call on strings (Python's <c>str</c>) and dicts. Every string result is cut from
/// its source with <see cref="JinjaString.Substring"/> or <see cref="JinjaString.Pick"/>, so trust marks
/// survive.</summary>
static class JinjaMethods
{
    public static JinjaFunction? ForDict(OrderedDictionary<string, object?> dict, string name) =>
        name switch
        {
            "items" => new(name, _ => JinjaFilters.Items(dict)),
            "keys" => new(name, _ => dict.Keys.Select(k => (object?)JinjaString.Untrusted(k)).ToList()),
            "values" => new(name, _ => dict.Values.ToList()),
            "get" => new(
                name,
                a =>
                    a.Get(0, "key") is JinjaString key && dict.TryGetValue(key.Value, out var v)
                        ? v
                        : a.Get(1, "default")
            ),
            _ => null,
        };

    public static JinjaFunction? ForString(JinjaString s, string name) =>
        name switch
        {
            "upper" => new(name, _ => MapCase(s, v => v.ToUpperInvariant())),
            "lower" => new(name, _ => MapCase(s, v => v.ToLowerInvariant())),
            "title" => new(name, _ => MapCase(s, Title)),
            "capitalize" => new(name, _ => MapCase(s, Capitalize)),
            "strip" => new(name, a => Strip(s, Chars(a), left: true, right: true)),
            "lstrip" => new(name, a => Strip(s, Chars(a), left: true, right: false)),
            "rstrip" => new(name, a => Strip(s, Chars(a), left: false, right: true)),
            "startswith" => new(name, a => Affixes(a, name).Any(p => s.Value.StartsWith(p, StringComparison.Ordinal))),
            "endswith" => new(name, a => Affixes(a, name).Any(p => s.Value.EndsWith(p, StringComparison.Ordinal))),
            "split" => new(name, a => Split(s, a, fromRight: false)),
            "rsplit" => new(name, a => Split(s, a, fromRight: true)),
            "replace" => new(name, a => Replace(s, a)),
            "find" => new(name, a => (long)s.Value.IndexOf(Text(a.Get(0, "sub"), "find"), StringComparison.Ordinal)),
            "count" => new(name, a => (long)Count(s.Value, Text(a.Get(0, "sub"), "count"))),
            _ => null,
        };

    static string Text(object? value, string method) =>
        value is JinjaString s
            ? s.Value
            : throw new JinjaError($"{method}() needs a string argument, not {JinjaValues.TypeName(value)}");

    static string? Chars(JinjaArgs a) =>
        a.Get(0, "chars") switch
        {
            null or Undefined => null,
            JinjaString s => s.Value,
            var other => throw new JinjaError(
                $"strip() takes a string of characters, not {JinjaValues.TypeName(other)}"
            ),
        };

    static IEnumerable<string> Affixes(JinjaArgs a, string method) =>
        a.Get(0, "prefix") switch
        {
            JinjaString p => [p.Value],
            List<object?> list => list.Select(x => Text(x, method)),
            var other => throw new JinjaError(
                $"{method}() takes a string or a tuple of strings, not {JinjaValues.TypeName(other)}"
            ),
        };

    /// <summary>A case change keeps the marks when it keeps the length (it nearly always does); otherwise the
    /// result is untrusted as a whole if any of it was.</summary>
    internal static JinjaString MapCase(JinjaString s, Func<string, string> map)
    {
        string mapped = map(s.Value);
        if (mapped.Length != s.Value.Length)
            return JinjaString.DerivedFrom(mapped, s);
        var builder = new JinjaStringBuilder();
        for (int i = 0; i < mapped.Length; i++)
        {
            builder.Append(
                s.IsUntrusted(i)
                    ? JinjaString.Untrusted(mapped[i].ToString())
                    : JinjaString.Trusted(mapped[i].ToString())
            );
        }

        return builder.Build();
    }

    /// <summary>Python's <c>str.title</c>: each run of letters starts upper case, the rest is lower.</summary>
    internal static string Title(string value)
    {
        var chars = value.ToCharArray();
        bool previousLetter = false;
        for (int i = 0; i < chars.Length; i++)
        {
            bool letter = char.IsLetter(chars[i]);
            chars[i] = letter && !previousLetter ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
            previousLetter = letter;
        }
        return new string(chars);
    }

    internal static string Capitalize(string value) =>
        value.Length == 0 ? value : char.ToUpperInvariant(value[0]) + value[1..].ToLowerInvariant();

    /// <summary>Python's strip: <paramref name="chars"/> null strips whitespace.</summary>
    internal static JinjaString Strip(JinjaString s, string? chars, bool left, bool right)
    {
        bool Strippable(char c) => chars is null ? char.IsWhiteSpace(c) : chars.Contains(c, StringComparison.Ordinal);
        int start = 0,
            end = s.Value.Length;
        while (left && start < end && Strippable(s.Value[start]))
            start++;
        while (right && end > start && Strippable(s.Value[end - 1]))
            end--;
        return s.Substring(start, end - start);
    }

    static List<object?> Split(JinjaString s, JinjaArgs a, bool fromRight)
    {
        var sep = a.Get(0, "sep");
        long max = a.Get(1, "maxsplit", -1L) is long m ? m : throw new JinjaError("maxsplit must be an integer");
        var parts = sep switch
        {
            null or Undefined => SplitWhitespace(s, max, fromRight),
            JinjaString { Value.Length: 0 } => throw new JinjaError("split() separator is empty"),
            JinjaString separator => SplitOn(s, separator.Value, max, fromRight),
            _ => throw new JinjaError($"split() separator must be a string, not {JinjaValues.TypeName(sep)}"),
        };
        return parts.Cast<object?>().ToList();
    }

    static List<JinjaString> SplitOn(JinjaString s, string sep, long max, bool fromRight)
    {
        var cuts = new List<int>();
        for (
            int at = s.Value.IndexOf(sep, StringComparison.Ordinal);
            at >= 0;
            at = s.Value.IndexOf(sep, at + sep.Length, StringComparison.Ordinal)
        )
        {
            cuts.Add(at);
        }

        if (max >= 0 && cuts.Count > max)
            cuts = fromRight ? cuts.Skip(cuts.Count - (int)max).ToList() : cuts.Take((int)max).ToList();
        var parts = new List<JinjaString>();
        int from = 0;
        foreach (int cut in cuts)
        {
            parts.Add(s.Substring(from, cut - from));
            from = cut + sep.Length;
        }
        parts.Add(s.Substring(from, s.Value.Length - from));
        return parts;
    }

    static List<JinjaString> SplitWhitespace(JinjaString s, long max, bool fromRight)
    {
        var words = new List<(int Start, int End)>();
        int i = 0;
        while (i < s.Value.Length)
        {
            while (i < s.Value.Length && char.IsWhiteSpace(s.Value[i]))
                i++;
            int start = i;
            while (i < s.Value.Length && !char.IsWhiteSpace(s.Value[i]))
                i++;
            if (i > start)
                words.Add((start, i));
        }
        if (max < 0 || words.Count <= max)
            return words.Select(w => s.Substring(w.Start, w.End - w.Start)).ToList();
        if (!fromRight)
        {
            var head = words.Take((int)max).Select(w => s.Substring(w.Start, w.End - w.Start)).ToList();
            head.Add(
                Strip(s.Substring(words[(int)max].Start, s.Value.Length - words[(int)max].Start), null, false, true)
            );
            return head;
        }
        var tail = words.Skip(words.Count - (int)max).Select(w => s.Substring(w.Start, w.End - w.Start)).ToList();
        int restEnd = words[words.Count - (int)max - 1].End;
        tail.Insert(0, Strip(s.Substring(0, restEnd), null, true, false));
        return tail;
    }

    internal static JinjaString Replace(JinjaString s, JinjaArgs a)
    {
        var old = a.Get(0, "old") as JinjaString ?? throw new JinjaError("replace() needs the text to replace");
        var replacement = a.Get(1, "new") as JinjaString ?? throw new JinjaError("replace() needs the new text");
        long count = a.Get(2, "count", -1L) switch
        {
            long n => n,
            null => -1,
            var other => throw new JinjaError($"replace() count must be an integer, not {JinjaValues.TypeName(other)}"),
        };
        var builder = new JinjaStringBuilder();
        int from = 0;
        for (long done = 0; count < 0 || done < count; done++)
        {
            int at =
                old.Value.Length == 0
                    ? (from <= s.Value.Length ? from : -1)
                    : s.Value.IndexOf(old.Value, from, StringComparison.Ordinal);
            if (at < 0)
                break;
            builder.Append(s.Substring(from, at - from)).Append(replacement);
            if (old.Value.Length == 0)
            {
                if (at < s.Value.Length)
                    builder.Append(s.Substring(at, 1));
                from = at + 1;
            }
            else
            {
                from = at + old.Value.Length;
            }
        }
        if (from <= s.Value.Length)
            builder.Append(s.Substring(from, s.Value.Length - from));
        return builder.Build();
    }

    static int Count(string value, string sub)
    {
        if (sub.Length == 0)
            return value.Length + 1;
        int n = 0;
        for (
            int at = value.IndexOf(sub, StringComparison.Ordinal);
            at >= 0;
            at = value.IndexOf(sub, at + sub.Length, StringComparison.Ordinal)
        )
        {
            n++;
        }

        return n;
    }

    internal static string Invariant(long n) => n.ToString(CultureInfo.InvariantCulture);
}
