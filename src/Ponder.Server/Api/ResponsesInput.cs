using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ponder.Server.Api;

/// <summary>
/// The Responses API's <c>instructions</c> and <c>input</c> as a chat message list: messages as they are, consecutive
/// <c>function_call</c> items as one assistant message with those calls, <c>function_call_output</c> items as tool
/// messages; reasoning items a client sends back are dropped (the reasoning is not shown, so there is nothing of it
/// to render).
/// </summary>
static class ResponsesInput
{
    public static JsonArray Messages(ResponsesRequest req)
    {
        var messages = new JsonArray();
        if (!string.IsNullOrEmpty(req.Instructions))
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = req.Instructions });
        if (req.Input is not { } input || input.ValueKind == JsonValueKind.Null)
            throw ApiException.BadRequest("'input' is required: a string or an array of messages.", "input");
        if (input.ValueKind == JsonValueKind.String)
        {
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = input.GetString() });
            return messages;
        }
        if (input.ValueKind != JsonValueKind.Array)
            throw ApiException.BadRequest("'input' must be a string or an array of messages.", "input");
        List<InputMessageDto?> items;
        try
        {
            items = input.Deserialize<List<InputMessageDto?>>()!;
        }
        catch (JsonException e)
        {
            throw JsonBody.Describe(e, typeof(List<InputMessageDto>), "input");
        }
        if (items.Count == 0)
            throw ApiException.BadRequest("'input' must not be empty.", "input");
        for (int i = 0; i < items.Count; i++)
        {
            Add(
                messages,
                items[i] ?? throw ApiException.BadRequest($"'input[{i}]' must be an object.", $"input[{i}]"),
                i
            );
        }

        return messages;
    }

    static void Add(JsonArray messages, InputMessageDto item, int i)
    {
        string at = $"input[{i}]";
        switch (item.Type ?? "message")
        {
            case "message":
                messages.Add(MessageJson.One(new ChatMessageDto { Role = item.Role, Content = item.Content }, at));
                break;
            case "function_call":
                string callId = Required(item.CallId, $"{at}.call_id");
                var call = MessageJson.Call(
                    callId,
                    Required(item.Name, $"{at}.name"),
                    item.Arguments,
                    $"{at}.arguments"
                );
                if (messages.LastOrDefault() is JsonObject last && last["tool_calls"] is JsonArray calls)
                {
                    calls.Add(call);
                    break;
                }
                messages.Add(
                    new JsonObject
                    {
                        ["role"] = "assistant",
                        ["content"] = "",
                        ["tool_calls"] = new JsonArray { call },
                    }
                );
                break;
            case "function_call_output":
                messages.Add(
                    new JsonObject
                    {
                        ["role"] = "tool",
                        ["tool_call_id"] = Required(item.CallId, $"{at}.call_id"),
                        ["content"] = Required(item.Output, $"{at}.output"),
                    }
                );
                break;
            case "reasoning":
                break;
            default:
                throw ApiException.BadRequest(
                    $"'{at}.type' \"{item.Type}\" must be message, function_call, function_call_output or reasoning.",
                    $"{at}.type"
                );
        }
    }

    static string Required(string? value, string param) =>
        value ?? throw ApiException.BadRequest($"'{param}' is required.", param);
}
