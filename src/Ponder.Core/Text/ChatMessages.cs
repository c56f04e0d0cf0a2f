using System.Text.Json;
using Ponder.Text.Jinja;

namespace Ponder.Text;

/// <summary>Conversations as chat templates read them: a list of dicts with <c>role</c>, <c>content</c> and, for
/// the assistant, <c>reasoning_content</c>. Every string in them is marked untrusted.</summary>
public static class ChatMessages
{
    /// <summary>Ponder's messages as template values (developer messages as <c>system</c>, as OpenAI maps them
    /// for templates without a developer role).</summary>
    public static object ToTemplate(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return JinjaVariables.List(messages.Select(m => JinjaVariables.Dict(Fields(m))));
    }

    static IEnumerable<KeyValuePair<string, object?>> Fields(ChatMessage m)
    {
        string role = m.Role switch
        {
            ChatRole.System or ChatRole.Developer => "system",
            ChatRole.User => "user",
            ChatRole.Assistant => "assistant",
            ChatRole.Tool => "tool",
            _ => throw new ArgumentOutOfRangeException(nameof(m), m.Role, "unknown chat role"),
        };
        yield return new("role", JinjaVariables.Text(role, untrusted: true));
        yield return new("content", JinjaVariables.Text(m.Content, untrusted: true));
        if (m.Role == ChatRole.Assistant && m.Reasoning is not null)
            yield return new("reasoning_content", JinjaVariables.Text(m.Reasoning, untrusted: true));
        if (m.Role == ChatRole.Assistant && m.ToolCalls is { Count: > 0 })
            yield return new("tool_calls", JinjaVariables.List(m.ToolCalls.Select(CallValue)));
        if (m.Role == ChatRole.Tool && m.ToolCallId is not null)
            yield return new("tool_call_id", JinjaVariables.Text(m.ToolCallId, untrusted: true));
    }

    /// <summary>A call as OpenAI's messages hold it; the arguments as their JSON text (templates print a string
    /// as it is).</summary>
    static object CallValue(ToolCall call) =>
        JinjaVariables.Dict([
            new("type", JinjaVariables.Text("function", untrusted: true)),
            new(
                "function",
                JinjaVariables.Dict([
                    new("name", JinjaVariables.Text(call.Name, untrusted: true)),
                    new("arguments", JinjaVariables.Text(call.ArgumentsJson, untrusted: true)),
                ])
            ),
        ]);

    /// <summary>
    /// Reads an OpenAI-style message list (<c>[{"role": …, "content": …}, …]</c>, with optional
    /// <c>reasoning_content</c>, <c>tool_calls</c>, <c>tool_call_id</c>, <c>name</c>) and checks the fields chat
    /// templates rely on. <paramref name="source"/> names the input in errors.
    /// </summary>
    /// <exception cref="PonderException">Not a list of messages, naming the entry and the field.</exception>
    public static JsonElement Validate(JsonElement messages, string source)
    {
        if (messages.ValueKind != JsonValueKind.Array)
            throw new PonderException($"{source}: expected a JSON array of messages, not {Kind(messages)}");
        int index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            string at = $"{source}: message {index++}";
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw new PonderException(
                    $"{at} should be an object with \"role\" and \"content\", not {Kind(message)}"
                );
            }

            if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                throw new PonderException($"{at} has no string \"role\" (system, user, assistant or tool)");
            if (
                message.TryGetProperty("content", out var content)
                && content.ValueKind is not (JsonValueKind.String or JsonValueKind.Null or JsonValueKind.Array)
            )
            {
                throw new PonderException(
                    $"{at}: \"content\" should be a string, null or a list of parts, not {Kind(content)}"
                );
            }
            if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind != JsonValueKind.Array)
                throw new PonderException($"{at}: \"tool_calls\" should be a list, not {Kind(calls)}");
        }
        return messages;
    }

    /// <summary>Ponder's messages from a validated list (for the built-in ChatML template): assistant
    /// <c>tool_calls</c> (arguments as a JSON string or object) and <c>tool</c> messages included.</summary>
    public static IReadOnlyList<ChatMessage> FromJson(JsonElement messages, string source)
    {
        var result = new List<ChatMessage>();
        int index = 0;
        foreach (var m in Validate(messages, source).EnumerateArray())
        {
            string role = m.GetProperty("role").GetString()!;
            var parsed = role switch
            {
                "system" => ChatRole.System,
                "developer" => ChatRole.Developer,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                "tool" => ChatRole.Tool,
                _ => throw new PonderException(
                    $"{source}: message {index}: role \"{role}\" is not one of system, developer, user, assistant, "
                        + "tool"
                ),
            };
            string content =
                m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
            string? reasoning =
                m.TryGetProperty("reasoning_content", out var r) && r.ValueKind == JsonValueKind.String
                    ? r.GetString()
                    : null;
            var calls = m.TryGetProperty("tool_calls", out var t) ? Calls(t, $"{source}: message {index}") : null;
            string? callId =
                m.TryGetProperty("tool_call_id", out var id) && id.ValueKind == JsonValueKind.String
                    ? id.GetString()
                    : null;
            result.Add(new ChatMessage(parsed, content, reasoning, calls, callId));
            index++;
        }
        return result;
    }

    /// <summary>OpenAI <c>tool_calls</c> (arguments as a JSON string or object) as calls; <paramref name="at"/> names
    /// the message in errors.</summary>
    public static List<ToolCall> Calls(JsonElement calls, string at)
    {
        if (calls.ValueKind != JsonValueKind.Array)
            throw new PonderException($"{at}: \"tool_calls\" should be a list, not {Kind(calls)}");
        var result = new List<ToolCall>();
        foreach (var call in calls.EnumerateArray())
        {
            var function =
                call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var f) ? f : call;
            if (
                function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name)
                || name.ValueKind != JsonValueKind.String
            )
            {
                throw new PonderException($"{at}: tool_calls[{result.Count}] has no string \"function.name\"");
            }
            string arguments =
                !function.TryGetProperty("arguments", out var a) ? "{}"
                : a.ValueKind == JsonValueKind.String ? a.GetString()!
                : a.ValueKind == JsonValueKind.Object ? ToJson(a)
                : throw new PonderException(
                    $"{at}: tool_calls[{result.Count}].function.arguments should be a JSON string or object"
                );
            result.Add(new ToolCall(name.GetString()!, arguments));
        }
        return result;
    }

    /// <summary>An object as the templates' <c>tojson</c> writes it (Python's <c>json.dumps</c>).</summary>
    internal static string ToJson(JsonElement value) =>
        JinjaJson.Dumps(JinjaVariables.FromJson(value, untrusted: true), new(null, false, false, null, null)).Value;

    static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();
}
