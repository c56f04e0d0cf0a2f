using System.Text.Json;

namespace Ponder.Text.Jinja;

/// <summary>Builds the values a <see cref="JinjaTemplate"/> reads.</summary>
public static class JinjaVariables
{
    /// <summary>JSON as template values: objects become dicts, arrays lists. Strings are marked untrusted when
    /// <paramref name="untrusted"/> (anything a user or a request supplied).</summary>
    public static object? FromJson(JsonElement json, bool untrusted) => JinjaValues.FromJson(json, untrusted);

    /// <summary>A string value.</summary>
    public static object Text(string value, bool untrusted) =>
        untrusted ? JinjaString.Untrusted(value) : JinjaString.Trusted(value);

    /// <summary>A dict value whose keys keep the given order.</summary>
    public static object Dict(IEnumerable<KeyValuePair<string, object?>> entries)
    {
        var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
            dict[key] = value;
        return dict;
    }

    /// <summary>A list value.</summary>
    public static object List(IEnumerable<object?> items) => items.ToList();
}
