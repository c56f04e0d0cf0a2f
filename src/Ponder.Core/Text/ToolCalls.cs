using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ponder.Text;

/// <summary>A function call a model wrote in its answer.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="ArgumentsJson">Its arguments as a JSON object's text (OpenAI's <c>function.arguments</c>).</param>
public sealed record ToolCall(string Name, string ArgumentsJson);

/// <summary>How a family's chat template asks the model to write function calls.</summary>
public enum ToolCallFormat
{
    /// <summary><c>&lt;tool_call&gt;{"name": …, "arguments": {…}}&lt;/tool_call&gt;</c>, one block per call (Qwen2.5,
    /// Qwen3, Hermes; vLLM's <c>hermes</c> parser).</summary>
    Hermes,

    /// <summary>The answer is <c>{"name": …, "parameters": {…}}</c>, several joined by ";" (Llama 3.1–3.2, optionally
    /// after <c>&lt;|python_tag|&gt;</c>; vLLM's <c>llama3_json</c> parser).</summary>
    Llama3Json,
}

/// <summary>
/// Reads function calls out of a model's answer, as vLLM's tool parsers do. Only ever given the answer — never the
/// hidden reasoning, so a call the model merely considered while thinking is not made, and nothing of the reasoning
/// can leave through a call. An answer whose call does not parse is returned whole as content, not as an error.
/// </summary>
public static partial class ToolCalls
{
    [GeneratedRegex(@"<tool_call>(.*?)</tool_call>|<tool_call>(.*)", RegexOptions.Singleline, 1000)]
    private static partial Regex HermesBlock();

    /// <summary>The format a chat template writes calls in, or null when it has no tools branch.</summary>
    public static ToolCallFormat? FormatOf(string templateSource)
    {
        ArgumentNullException.ThrowIfNull(templateSource);
        if (templateSource.Contains("<tool_call>", StringComparison.Ordinal))
            return ToolCallFormat.Hermes;
        if (
            templateSource.Contains("\"parameters\"", StringComparison.Ordinal)
            && templateSource.Contains("tool_calls", StringComparison.Ordinal)
        )
        {
            return ToolCallFormat.Llama3Json;
        }

        return null;
    }

    /// <summary>The answer's text outside calls (null when it has none and makes calls) and its calls; no calls and
    /// the whole answer as content when it makes none or one does not parse.</summary>
    public static (string? Content, IReadOnlyList<ToolCall> Calls) Parse(string answer, ToolCallFormat format)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var calls = format switch
        {
            ToolCallFormat.Hermes => Hermes(answer),
            ToolCallFormat.Llama3Json => Llama3(answer),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown tool-call format"),
        };
        if (calls is null)
            return (answer, []);
        string content =
            format == ToolCallFormat.Hermes
                ? answer[..answer.IndexOf("<tool_call>", StringComparison.Ordinal)].Trim()
                : "";
        return (content.Length == 0 ? null : content, calls);
    }

    static List<ToolCall>? Hermes(string answer)
    {
        if (!answer.Contains("<tool_call>", StringComparison.Ordinal))
            return null;
        var calls = new List<ToolCall>();
        try
        {
            foreach (Match m in HermesBlock().Matches(answer))
            {
                string json = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                if (Call(json, "arguments") is not { } call)
                    return null;
                calls.Add(call);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
        return calls.Count > 0 ? calls : null;
    }

    static List<ToolCall>? Llama3(string answer)
    {
        string text = answer.Trim();
        if (text.StartsWith("<|python_tag|>", StringComparison.Ordinal))
            text = text["<|python_tag|>".Length..].TrimStart();
        if (!text.StartsWith('{'))
            return null;
        var calls = new List<ToolCall>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Call(part, "parameters", "arguments") is not { } call)
                return null;
            calls.Add(call);
        }
        return calls.Count > 0 ? calls : null;
    }

    /// <summary>One call from its JSON text: an object with a string "name" and its arguments under the first of
    /// <paramref name="argumentKeys"/> present — an object, or a string holding one — or none (no arguments); null
    /// when it is not one.</summary>
    static ToolCall? Call(string json, params string[] argumentKeys)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.Trim());
            var root = doc.RootElement;
            if (
                root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("name", out var name)
                || name.ValueKind != JsonValueKind.String
            )
            {
                return null;
            }

            foreach (var key in argumentKeys)
            {
                if (root.TryGetProperty(key, out var arguments))
                    return Arguments(arguments) is { } text ? new ToolCall(name.GetString()!, text) : null;
            }
            return new ToolCall(name.GetString()!, "{}");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string? Arguments(JsonElement arguments)
    {
        if (arguments.ValueKind == JsonValueKind.Object)
            return arguments.GetRawText();
        if (arguments.ValueKind != JsonValueKind.String)
            return null;
        using var inner = JsonDocument.Parse(arguments.GetString()!);
        return inner.RootElement.ValueKind == JsonValueKind.Object ? inner.RootElement.GetRawText() : null;
    }
}
