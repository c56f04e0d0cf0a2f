using System.Globalization;
using System.Text;

namespace Ponder.Text.Jinja;

/// <summary>The <c>tojson</c> filter as transformers defines it: Python's <c>json.dumps</c> with
/// <c>ensure_ascii=False</c> unless asked, separators ", " and ": " (or "," and ": " with an indent).</summary>
static class JinjaJson
{
    public sealed record Options(
        int? Indent,
        bool EnsureAscii,
        bool SortKeys,
        string? ItemSeparator,
        string? KeySeparator
    );

    public static JinjaString Dumps(object? value, Options options)
    {
        var text = new StringBuilder();
        Write(text, value, options, 0);
        return JinjaString.DerivedFrom(text.ToString(), [.. JinjaValues.Strings(value)]);
    }

    static void Write(StringBuilder text, object? value, Options o, int depth)
    {
        switch (value)
        {
            case null or Undefined:
                text.Append("null");
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case long n:
                text.Append(n.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                text.Append(
                    double.IsFinite(d) ? JinjaValues.FormatFloat(d)
                    : double.IsNaN(d) ? "NaN"
                    : d > 0 ? "Infinity"
                    : "-Infinity"
                );
                break;
            case JinjaString s:
                Quote(text, s.Value, o.EnsureAscii);
                break;
            case List<object?> list:
                WriteContainer(text, '[', ']', list.Select(x => ((string?)null, x)).ToList(), o, depth);
                break;
            case OrderedDictionary<string, object?> dict:
                WriteContainer(text, '{', '}', Entries(dict, o), o, depth);
                break;
            case JinjaNamespace ns:
                WriteContainer(text, '{', '}', Entries(ns.Attributes, o), o, depth);
                break;
            default:
                throw new JinjaError($"tojson cannot serialise {JinjaValues.TypeName(value)}");
        }
    }

    static List<(string?, object?)> Entries(OrderedDictionary<string, object?> dict, Options o)
    {
        var entries = dict.Select(kv => ((string?)kv.Key, kv.Value));
        return (o.SortKeys ? entries.OrderBy(e => e.Item1, StringComparer.Ordinal) : entries).ToList();
    }

    static void WriteContainer(
        StringBuilder text,
        char open,
        char close,
        List<(string? Key, object? Value)> items,
        Options o,
        int depth
    )
    {
        string itemSep = o.ItemSeparator ?? (o.Indent is null ? ", " : ",");
        string keySep = o.KeySeparator ?? ": ";
        text.Append(open);
        if (items.Count == 0)
        {
            text.Append(close);
            return;
        }
        string? pad = o.Indent is int n ? new string(' ', n) : null;
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
                text.Append(itemSep);
            if (pad is not null)
                text.Append('\n').Append(string.Concat(Enumerable.Repeat(pad, depth + 1)));
            if (items[i].Key is { } key)
            {
                Quote(text, key, o.EnsureAscii);
                text.Append(keySep);
            }
            Write(text, items[i].Value, o, depth + 1);
        }
        if (pad is not null)
            text.Append('\n').Append(string.Concat(Enumerable.Repeat(pad, depth)));
        text.Append(close);
    }

    static void Quote(StringBuilder text, string s, bool ensureAscii)
    {
        text.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case '\b':
                    text.Append("\\b");
                    break;
                case '\f':
                    text.Append("\\f");
                    break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7f))
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
