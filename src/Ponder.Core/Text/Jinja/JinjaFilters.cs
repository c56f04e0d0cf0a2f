using System.Globalization;

namespace Ponder.Text.Jinja;

/// <summary>The filters (<c>value | name(args)</c>) chat templates use.</summary>
sealed partial class JinjaRenderer
{
    object? ApplyFilter(string name, object? value, Arguments args, Scope scope) =>
        JinjaFilters.Apply(
            name,
            value,
            EvalArguments(args, scope),
            (test, item, rest) => RunNamedTest(test, item, rest)
        );
}

static class JinjaFilters
{
    public delegate bool TestRunner(string name, object? value, IReadOnlyList<object?> args);

    public static object? Apply(string name, object? value, JinjaArgs a, TestRunner test) =>
        name switch
        {
            "safe" => value,
            "tojson" => JinjaJson.Dumps(value, JsonOptions(a)),
            "length" or "count" => Length(value),
            "string" => JinjaValues.Print(value),
            "lower" => JinjaMethods.MapCase(Str(value, name), v => v.ToLowerInvariant()),
            "upper" => JinjaMethods.MapCase(Str(value, name), v => v.ToUpperInvariant()),
            "title" => JinjaMethods.MapCase(Str(value, name), JinjaMethods.Title),
            "capitalize" => JinjaMethods.MapCase(Str(value, name), JinjaMethods.Capitalize),
            "trim" => JinjaMethods.Strip(
                Str(value, name),
                a.Get(0, "chars") is JinjaString c ? c.Value : null,
                true,
                true
            ),
            "replace" => JinjaMethods.Replace(Str(value, name), a),
            "indent" => Indent(Str(value, name), a),
            "join" => Join(value, a),
            "default" or "d" => value is Undefined || (a.Get(1, "boolean") is true && !JinjaValues.Truthy(value))
                ? a.Get(0, "default_value", JinjaString.Empty)
                : value,
            "first" => Sequence(value, name) is var s && s.Count > 0 ? s[0] : Undefined.Value,
            "last" => Sequence(value, name) is var s && s.Count > 0 ? s[^1] : Undefined.Value,
            "list" => Sequence(value, name),
            "reverse" => Reverse(value),
            "items" => value is OrderedDictionary<string, object?> d ? Items(d) : throw Wrong(name, value),
            "int" => ToInt(value, a.Get(0, "default", 0L)),
            "float" => ToFloat(value, a.Get(0, "default", 0.0)),
            "abs" => value switch
            {
                long n => Math.Abs(n),
                double x => Math.Abs(x),
                _ => throw Wrong(name, value),
            },
            "round" => Round(value, a),
            "map" => Map(value, a, test),
            "select" or "reject" => Sequence(value, name)
                .Where(x =>
                    test((string)Str(a.Get(0, "test"), name).Value, x, a.Positional.Skip(1).ToList())
                    == (name == "select")
                )
                .ToList(),
            "selectattr" or "rejectattr" => SelectAttr(value, a, name == "selectattr", test),
            "dictsort" => DictSort(value, a),
            "unique" => Unique(Sequence(value, name)),
            "sum" => Sequence(value, name).Aggregate((object?)0L, (acc, x) => JinjaOperators.Binary("+", acc, x)),
            _ => throw new JinjaError($"the filter '{name}' is not supported by Ponder's Jinja interpreter"),
        };

    static JinjaError Wrong(string filter, object? value) =>
        new($"the filter '{filter}' cannot be applied to {JinjaValues.TypeName(value)}");

    static JinjaString Str(object? value, string filter) =>
        value switch
        {
            JinjaString s => s,
            Undefined => JinjaString.Empty,
            long or double or bool or null => JinjaValues.Print(value),
            _ => throw Wrong(filter, value),
        };

    static JinjaJson.Options JsonOptions(JinjaArgs a)
    {
        int? indent = a.Get(0, "indent") switch
        {
            null or Undefined => null,
            long n => (int)n,
            var other => throw new JinjaError($"tojson indent must be an integer, not {JinjaValues.TypeName(other)}"),
        };
        var separators = a.Get(-1, "separators") as List<object?>;
        return new JinjaJson.Options(
            indent,
            a.Get(-1, "ensure_ascii") is true,
            a.Get(-1, "sort_keys") is true,
            separators is [JinjaString item, _] ? item.Value : null,
            separators is [_, JinjaString key] ? key.Value : null
        );
    }

    static long Length(object? value) =>
        value switch
        {
            JinjaString s => s.Value.Length,
            List<object?> l => l.Count,
            OrderedDictionary<string, object?> d => d.Count,
            JinjaNamespace ns => ns.Attributes.Count,
            Undefined => 0,
            _ => throw Wrong("length", value),
        };

    /// <summary>The items of a list, the characters of a string, the keys of a dict.</summary>
    internal static List<object?> Sequence(object? value, string filter) =>
        value switch
        {
            List<object?> or JinjaString or OrderedDictionary<string, object?> or Undefined => JinjaRenderer
                .Iterate(value)
                .ToList(),
            _ => throw Wrong(filter, value),
        };

    static object? Reverse(object? value) =>
        value is JinjaString s
            ? s.Pick(Enumerable.Range(0, s.Value.Length).Reverse().ToList())
            : Enumerable.Reverse(Sequence(value, "reverse")).ToList();

    internal static List<object?> Items(OrderedDictionary<string, object?> dict) =>
        dict.Select(kv => (object?)new List<object?> { JinjaString.Untrusted(kv.Key), kv.Value }).ToList();

    static JinjaString Join(object? value, JinjaArgs a)
    {
        var separator = a.Get(0, "d") as JinjaString ?? JinjaString.Empty;
        var attribute = a.Get(1, "attribute") as JinjaString;
        var builder = new JinjaStringBuilder();
        var items = Sequence(value, "join");
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
                builder.Append(separator);
            builder.Append(JinjaValues.Print(attribute is null ? items[i] : Attr(items[i], attribute.Value)));
        }
        return builder.Build();
    }

    static JinjaString Indent(JinjaString s, JinjaArgs a)
    {
        var width = a.Get(0, "width", 4L);
        var pad = width is JinjaString w
            ? w
            : JinjaString.Trusted(new string(' ', (int)Math.Max(0, width is long n ? n : 4)));
        bool first = JinjaValues.Truthy(a.Get(1, "first", false)),
            blank = JinjaValues.Truthy(a.Get(2, "blank", false));
        var lines = s.Value.Split('\n');
        var builder = new JinjaStringBuilder();
        int at = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0)
                builder.Append(s.Substring(at - 1, 1));
            if ((i > 0 || first) && (lines[i].Length > 0 || blank))
                builder.Append(pad);
            builder.Append(s.Substring(at, lines[i].Length));
            at += lines[i].Length + 1;
        }
        return builder.Build();
    }

    static object? ToInt(object? value, object? fallback) =>
        value switch
        {
            long n => n,
            double d => (long)Math.Truncate(d),
            bool b => b ? 1L : 0L,
            JinjaString s
                when long.TryParse(s.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) => n,
            JinjaString s
                when double.TryParse(s.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) =>
                (long)Math.Truncate(d),
            _ => fallback,
        };

    static object? ToFloat(object? value, object? fallback) =>
        value switch
        {
            long n => (double)n,
            double d => d,
            bool b => b ? 1.0 : 0.0,
            JinjaString s
                when double.TryParse(s.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) =>
                d,
            _ => fallback,
        };

    static double Round(object? value, JinjaArgs a)
    {
        double x = value is long or double or bool ? JinjaValues.ToDouble(value) : throw Wrong("round", value);
        int digits = a.Get(0, "precision", 0L) is long p ? (int)p : 0;
        string method = a.Get(1, "method") is JinjaString m ? m.Value : "common";
        double scale = Math.Pow(10, digits);
        return method switch
        {
            "common" => Math.Round(x * scale, MidpointRounding.AwayFromZero) / scale,
            "ceil" => Math.Ceiling(x * scale) / scale,
            "floor" => Math.Floor(x * scale) / scale,
            _ => throw new JinjaError($"round method must be common, ceil or floor, not {method}"),
        };
    }

    internal static object? Attr(object? item, string path)
    {
        foreach (var part in path.Split('.'))
        {
            item = item switch
            {
                OrderedDictionary<string, object?> d => d.TryGetValue(part, out var v) ? v : Undefined.Value,
                JinjaNamespace ns => ns.Attributes.TryGetValue(part, out var v) ? v : Undefined.Value,
                List<object?> l when int.TryParse(part, out int i) && i >= 0 && i < l.Count => l[i],
                _ => Undefined.Value,
            };
        }
        return item;
    }

    static List<object?> Map(object? value, JinjaArgs a, TestRunner test)
    {
        var items = Sequence(value, "map");
        if (a.Keyword.TryGetValue("attribute", out var attribute) && attribute is JinjaString path)
        {
            var fallback = a.Keyword.GetValueOrDefault("default", Undefined.Value);
            return items.Select(x => Attr(x, path.Value) is Undefined ? fallback : Attr(x, path.Value)).ToList();
        }
        if (a.Get(0, "filter") is JinjaString filter)
        {
            var rest = new JinjaArgs(a.Positional.Skip(1).ToList(), a.Keyword);
            return items.Select(x => Apply(filter.Value, x, rest, test)).ToList();
        }
        throw new JinjaError("map needs a filter name or attribute=");
    }

    static List<object?> SelectAttr(object? value, JinjaArgs a, bool keep, TestRunner test)
    {
        string path =
            (a.Get(0, "attr") as JinjaString)?.Value ?? throw new JinjaError("selectattr needs an attribute name");
        string? testName = (a.Get(1, "test") as JinjaString)?.Value;
        var rest = a.Positional.Skip(2).ToList();
        return Sequence(value, "selectattr")
            .Where(x =>
                (testName is null ? JinjaValues.Truthy(Attr(x, path)) : test(testName, Attr(x, path), rest)) == keep
            )
            .ToList();
    }

    static List<object?> DictSort(object? value, JinjaArgs a)
    {
        var dict = value as OrderedDictionary<string, object?> ?? throw Wrong("dictsort", value);
        bool caseSensitive = a.Get(0, "case_sensitive") is true;
        bool byValue = a.Get(1, "by") is JinjaString { Value: "value" };
        bool reverse = a.Get(2, "reverse") is true;
        var comparer = caseSensitive ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
        var items = Items(dict);
        var sorted = byValue
            ? items.OrderBy(x => JinjaValues.Print(((List<object?>)x!)[1]).Value, comparer)
            : items.OrderBy(x => ((JinjaString)((List<object?>)x!)[0]!).Value, comparer);
        var list = sorted.ToList();
        if (reverse)
            list.Reverse();
        return list;
    }

    static List<object?> Unique(List<object?> items)
    {
        var result = new List<object?>();
        foreach (var item in items)
        {
            if (!result.Any(r => JinjaValues.AreEqual(r, item)))
                result.Add(item);
        }
        return result;
    }
}
