using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ponder.Server.Api;

/// <summary>
/// Request messages as the OpenAI-style list the chat templates render (<c>PromptFormat.RenderForGeneration</c>):
/// text content as one string, developer messages as system (as OpenAI maps them for templates without that role),
/// assistant <c>tool_calls</c> with their arguments as JSON objects (as vLLM hands them to templates, which write them
/// with <c>tojson</c>), and <c>tool</c> messages with their <c>tool_call_id</c>.
/// </summary>
static class MessageJson
{
    public static JsonArray FromChat(IReadOnlyList<ChatMessageDto?>? messages, string param)
    {
        if (messages is null || messages.Count == 0)
            throw ApiException.BadRequest($"'{param}' must be a non-empty array of messages.", param);
        var result = new JsonArray();
        for (int i = 0; i < messages.Count; i++)
            result.Add(One(messages[i], $"{param}[{i}]"));
        return result;
    }

    /// <summary>One message; <paramref name="at"/> names it in errors.</summary>
    public static JsonObject One(ChatMessageDto? m, string at)
    {
        if (m is null)
            throw ApiException.BadRequest($"'{at}' must be an object (a message).", at);
        string role = m.Role switch
        {
            "system" or "developer" => "system",
            "user" or "assistant" or "tool" => m.Role,
            _ => throw ApiException.BadRequest(
                $"{at}.role \"{m.Role}\" must be developer, system, user, assistant or tool.",
                $"{at}.role"
            ),
        };
        var message = new JsonObject
        {
            ["role"] = role,
            ["content"] = RequestReader.Content(m.Content, $"{at}.content"),
        };
        if (m.ToolCalls is { Count: > 0 } calls)
        {
            if (role != "assistant")
            {
                throw ApiException.BadRequest(
                    $"'{at}.tool_calls' is allowed on assistant messages only.",
                    $"{at}.tool_calls"
                );
            }
            message["tool_calls"] = Calls(calls, $"{at}.tool_calls");
        }
        if (role == "tool")
        {
            message["tool_call_id"] =
                m.ToolCallId
                ?? throw ApiException.BadRequest(
                    $"'{at}.tool_call_id' is required: the id of the call this message answers.",
                    $"{at}.tool_call_id"
                );
        }
        if (m.Name is not null)
            message["name"] = m.Name;
        return message;
    }

    static JsonArray Calls(IReadOnlyList<ToolCallDto?> calls, string param)
    {
        var result = new JsonArray();
        for (int j = 0; j < calls.Count; j++)
        {
            string at = $"{param}[{j}]";
            var call = calls[j] ?? throw ApiException.BadRequest($"'{at}' must be an object (a call).", at);
            if (call.Type is not (null or "function"))
                throw ApiException.BadRequest($"'{at}.type' \"{call.Type}\" must be \"function\".", $"{at}.type");
            string name =
                call.Function?.Name
                ?? throw ApiException.BadRequest($"'{at}.function.name' is required.", $"{at}.function.name");
            result.Add(Call(call.Id ?? ToolUse.NewCallId(), name, call.Function.Arguments, $"{at}.function.arguments"));
        }
        return result;
    }

    /// <summary>One call as templates read it; its arguments must be a JSON object's text.</summary>
    public static JsonObject Call(string id, string name, string? arguments, string param)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments);
        }
        catch (JsonException)
        {
            parsed = null;
        }
        if (parsed is not JsonObject)
        {
            throw ApiException.BadRequest(
                $"'{param}' must be a JSON object's text, such as \"{{\\\"city\\\": \\\"Paris\\\"}}\".",
                param
            );
        }
        return new JsonObject
        {
            ["id"] = id,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = name, ["arguments"] = parsed },
        };
    }

    /// <summary>The list as a JSON element (what the renderer reads).</summary>
    public static JsonElement Element(JsonArray messages) => JsonSerializer.SerializeToElement(messages);
}
