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
            _ => throw new ArgumentOutOfRangeException(nameof(m), m.Role, "unknown chat role"),
        };
        yield return new("role", JinjaVariables.Text(role, untrusted: true));
        yield return new("content", JinjaVariables.Text(m.Content, untrusted: true));
        if (m.Role == ChatRole.Assistant && m.Reasoning is not null)
            yield return new("reasoning_content", JinjaVariables.Text(m.Reasoning, untrusted: true));
    }

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

    /// <summary>Ponder's messages from a validated list (for the built-in ChatML template, which has no tool
    /// turns).</summary>
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
                _ => throw new PonderException(
                    $"{source}: message {index}: role \"{role}\" is not one of system, developer, user, assistant (the "
                        + "built-in ChatML template has no tool turns)"
                ),
            };
            string content =
                m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
            string? reasoning =
                m.TryGetProperty("reasoning_content", out var r) && r.ValueKind == JsonValueKind.String
                    ? r.GetString()
                    : null;
            result.Add(new ChatMessage(parsed, content, reasoning));
            index++;
        }
        return result;
    }

    static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();
}
