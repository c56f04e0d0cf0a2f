using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ponder.Text.Jinja;

/// <summary>A name the template reads but nobody defined (Jinja's <c>Undefined</c>).</summary>
public sealed class Undefined
{
    public static readonly Undefined Value = new();

    Undefined() { }
}

/// <summary>The mutable object <c>namespace(...)</c> makes, the one thing a template may assign attributes
/// to.</summary>
sealed class JinjaNamespace
{
    public OrderedDictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>The arguments of a call: positional, then keyword.</summary>
sealed record JinjaArgs(IReadOnlyList<object?> Positional, IReadOnlyDictionary<string, object?> Keyword)
{
    public static readonly JinjaArgs None = new([], new Dictionary<string, object?>());

    /// <summary>Argument <paramref name="index"/> or keyword <paramref name="name"/>, else
    /// <paramref name="fallback"/>.</summary>
    public object? Get(int index, string name, object? fallback = null) =>
        index >= 0 && index < Positional.Count ? Positional[index]
        : Keyword.TryGetValue(name, out var value) ? value
        : fallback;
}

/// <summary>A callable value: a global such as <c>raise_exception</c>, a bound string or dict method, a
/// macro.</summary>
sealed class JinjaFunction(string name, Func<JinjaArgs, object?> invoke)
{
    public string Name { get; } = name;

    public object? Invoke(JinjaArgs args) => invoke(args);
}

/// <summary>
/// The template's values are plain .NET objects: <see langword="null"/> (none), <see cref="Undefined"/>, bool, long,
/// double, <see cref="JinjaString"/>, <c>List&lt;object?&gt;</c> (lists and tuples),
/// <c>OrderedDictionary&lt;string, object?&gt;</c> (dicts), <see cref="JinjaNamespace"/> and
/// <see cref="JinjaFunction"/>. This class holds what Jinja defines over them: truth, equality, printing.
/// </summary>
static class JinjaValues
{
    public static bool Truthy(object? value) =>
        value switch
        {
            null or Undefined => false,
            bool b => b,
            long n => n != 0,
            double d => d != 0,
            JinjaString s => s.Value.Length > 0,
            List<object?> list => list.Count > 0,
            OrderedDictionary<string, object?> dict => dict.Count > 0,
            _ => true,
        };

    public static string TypeName(object? value) =>
        value switch
        {
            null => "none",
            Undefined => "undefined",
            bool => "boolean",
            long => "integer",
            double => "float",
            JinjaString => "string",
            List<object?> => "list",
            OrderedDictionary<string, object?> => "dict",
            JinjaNamespace => "namespace",
            JinjaFunction => "function",
            _ => value.GetType().Name,
        };

    /// <summary>What <c>{{ value }}</c> writes: strings keep their marks; anything else is printed as Python
    /// prints it (untrusted when it holds any untrusted string).</summary>
    public static JinjaString Print(object? value) =>
        value switch
        {
            JinjaString s => s,
            Undefined => JinjaString.Empty,
            List<object?> or OrderedDictionary<string, object?> => JinjaString.DerivedFrom(
                Repr(value, top: true),
                [.. Strings(value)]
            ),
            _ => JinjaString.Trusted(Repr(value, top: true)),
        };

    /// <summary>Every string inside a value (for deciding whether a derived string is untrusted).</summary>
    public static IEnumerable<JinjaString> Strings(object? value)
    {
        switch (value)
        {
            case JinjaString s:
                yield return s;
                break;
            case List<object?> list:
                foreach (var s in list.SelectMany(Strings))
                    yield return s;
                break;
            case OrderedDictionary<string, object?> dict:
                foreach (var (key, item) in dict)
                {
                    yield return JinjaString.Untrusted(key);
                    foreach (var s in Strings(item))
                        yield return s;
                }
                break;
            case JinjaNamespace ns:
                foreach (var s in ns.Attributes.Values.SelectMany(Strings))
                    yield return s;
                break;
        }
    }

    static string Repr(object? value, bool top) =>
        value switch
        {
            null => "None",
            Undefined => "",
            bool b => b ? "True" : "False",
            long n => n.ToString(CultureInfo.InvariantCulture),
            double d => FormatFloat(d),
            JinjaString s => top ? s.Value : Quote(s.Value),
            List<object?> list => "[" + string.Join(", ", list.Select(x => Repr(x, false))) + "]",
            OrderedDictionary<string, object?> dict => "{"
                + string.Join(", ", dict.Select(kv => Quote(kv.Key) + ": " + Repr(kv.Value, false)))
                + "}",
            JinjaNamespace => "<Namespace>",
            JinjaFunction f => $"<function {f.Name}>",
            _ => value.ToString() ?? "",
        };

    /// <summary>Python's float repr for the values templates meet: a whole number keeps ".0".</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d))
            return "nan";
        if (double.IsInfinity(d))
            return d > 0 ? "inf" : "-inf";
        string s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'").Replace("\n", "\\n") + "'";

    /// <summary>Python's <c>==</c>: numbers by value (True is 1), strings by text, containers item by item.</summary>
    public static bool AreEqual(object? a, object? b) =>
        (a, b) switch
        {
            (null, null) or (Undefined, Undefined) => true,
            (JinjaString x, JinjaString y) => x.Value == y.Value,
            (long or double or bool, long or double or bool) => ToDouble(a) == ToDouble(b),
            (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => AreEqual(p.First, p.Second)),
            (OrderedDictionary<string, object?> x, OrderedDictionary<string, object?> y) => x.Count == y.Count
                && x.All(kv => y.TryGetValue(kv.Key, out var v) && AreEqual(kv.Value, v)),
            _ => ReferenceEquals(a, b),
        };

    public static double ToDouble(object? value) =>
        value switch
        {
            long n => n,
            double d => d,
            bool b => b ? 1 : 0,
            _ => throw new InvalidOperationException($"not a number: {TypeName(value)}"),
        };

    /// <summary>Converts JSON to template values; every string (and dict key) is marked untrusted when
    /// <paramref name="untrusted"/>.</summary>
    public static object? FromJson(JsonElement json, bool untrusted) =>
        json.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => json.TryGetInt64(out long n) && !json.GetRawText().Contains('.')
                ? (object)n
                : json.GetDouble(),
            JsonValueKind.String => untrusted
                ? JinjaString.Untrusted(json.GetString()!)
                : JinjaString.Trusted(json.GetString()!),
            JsonValueKind.Array => json.EnumerateArray().Select(e => FromJson(e, untrusted)).ToList(),
            _ => ObjectFromJson(json, untrusted),
        };

    static OrderedDictionary<string, object?> ObjectFromJson(JsonElement json, bool untrusted)
    {
        var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
            dict[property.Name] = FromJson(property.Value, untrusted);
        return dict;
    }

    /// <summary>A list of strings as a template list.</summary>
    public static List<object?> List(IEnumerable<JinjaString> items) => items.Cast<object?>().ToList();

    internal static string Describe(object? value)
    {
        var text = new StringBuilder(TypeName(value));
        if (value is JinjaString s)
            text.Append(" \"").Append(s.Value.Length > 40 ? s.Value[..40] + "…" : s.Value).Append('"');
        return text.ToString();
    }
}
