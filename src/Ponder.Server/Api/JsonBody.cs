using System.Buffers;
using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Ponder.Server.Api;

/// <summary>
/// Request bytes → a request record, every failure an <see cref="ApiException"/> (400) in the client's terms.
/// System.Text.Json checks neither the UTF-8 inside strings nor that an escaped surrogate has its pair when it reads
/// (<see cref="JsonElement"/> fields keep the raw bytes), and only a later <c>GetString</c> throws — an
/// <see cref="InvalidOperationException"/>, not a <see cref="JsonException"/> — so the whole body is checked first.
/// Its own messages name .NET types ("could not be converted to System.Nullable`1[System.Int32]"), so a failure is
/// described from the request record's field names and their JSON types instead.
/// </summary>
static partial class JsonBody
{
    static readonly JsonSerializerOptions Options = new() { AllowTrailingCommas = false };

    public static T Parse<T>(ReadOnlySpan<byte> body)
        where T : class
    {
        CheckText(body);
        try
        {
            return JsonSerializer.Deserialize<T>(body, Options)
                ?? throw ApiException.BadRequest("the request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw Describe(e, typeof(T), "");
        }
    }

    /// <summary>400 unless <paramref name="body"/> is UTF-8 JSON whose every string is valid Unicode.</summary>
    static void CheckText(ReadOnlySpan<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            int at = 0;
            while (Rune.DecodeFromUtf8(body[at..], out _, out int length) == OperationStatus.Done)
                at += length;
            throw ApiException.BadRequest(
                $"the request body must be valid UTF-8 JSON: byte {at} does not begin a UTF-8 character."
            );
        }
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                    Unescape(ref reader);
            }
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>An escape such as <c>\ud800</c> without its other half is no character at all.</summary>
    static void Unescape(ref Utf8JsonReader reader)
    {
        try
        {
            reader.GetString();
        }
        catch (InvalidOperationException)
        {
            throw ApiException.BadRequest(
                $"the request body must be valid UTF-8 JSON: the string at byte {reader.TokenStartIndex} escapes half "
                    + "of a UTF-16 surrogate pair (\\ud800-\\udfff must come as a high-low pair)."
            );
        }
    }

    /// <summary>A deserialization failure in the client's terms, from the JSON path it names: an unknown field, or
    /// a field of the wrong JSON type.</summary>
    /// <param name="root">The type deserialized at <c>$</c>.</param>
    /// <param name="prefix">Where <c>$</c> is in the request ("" for the body, "input" for its items).</param>
    public static ApiException Describe(JsonException e, Type root, string prefix)
    {
        ArgumentNullException.ThrowIfNull(e);
        var segments = PathSegment()
            .Matches(e.Path ?? "$")
            .Select(m => m.Value.StartsWith("['", StringComparison.Ordinal) ? "." + m.Value[2..^2] : m.Value)
            .ToList();
        string param = (prefix + string.Concat(segments)).TrimStart('.');
        Type? type = root;
        for (int i = 0; i < segments.Count && type is not null; i++)
        {
            var next = Member(type, segments[i]);
            if (next is null && i == segments.Count - 1 && segments[i].StartsWith('.'))
                return ApiException.BadRequest($"'{param}' is not a field this server accepts.", param);
            type = next;
        }
        if (param.Length == 0)
            return ApiException.BadRequest("the request body must be a JSON object.");
        return ApiException.BadRequest($"'{param}' must be {Kind(type)}.", param);
    }

    /// <summary>The type at <paramref name="segment"/> (<c>.name</c> or <c>[i]</c>) of <paramref name="type"/>, or
    /// null when it has none.</summary>
    static Type? Member(Type type, string segment)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (segment.StartsWith('['))
        {
            return type.IsArray ? type.GetElementType()
                : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0]
                : null;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            return type.GetGenericArguments()[1];
        string name = segment[1..];
        return type.GetProperties()
            .FirstOrDefault(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name == name)
            ?.PropertyType;
    }

    /// <summary>What a value of <paramref name="type"/> is called in JSON.</summary>
    static string Kind(Type? type)
    {
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "a string"
            : type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(double) || type == typeof(float) ? "a number"
            : type is null || type == typeof(JsonElement) ? "valid JSON"
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? "an object"
            : typeof(IEnumerable).IsAssignableFrom(type) ? "an array"
            : "an object";
    }

    /// <summary>One step of a System.Text.Json path: <c>.name</c>, <c>['odd name']</c> (as <c>.odd name</c>) or
    /// <c>[0]</c>.</summary>
    [GeneratedRegex(@"\.[^.\[]+|\['(?:[^']|'')*'\]|\[\d+\]")]
    private static partial Regex PathSegment();
}
