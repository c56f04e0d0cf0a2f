using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Ponder.Server.Api;
using AI = Microsoft.Extensions.AI;

namespace Ponder.Server;

/// <summary>
/// Microsoft.Extensions.AI's function calling in Ponder's terms, for <see cref="PonderChatClient"/>: messages with
/// <see cref="FunctionCallContent"/> and <see cref="FunctionResultContent"/> as assistant tool calls and tool messages,
/// <see cref="ChatOptions.Tools"/> and <see cref="ChatOptions.ToolMode"/> as the server's <c>tools</c> and
/// <c>tool_choice</c>, and calls read from an answer as <see cref="FunctionCallContent"/> — so
/// <c>UseFunctionInvocation()</c> runs the round trip.
/// </summary>
static class ChatClientTools
{
    /// <summary>The conversation as the OpenAI-style list the templates render.</summary>
    public static JsonArray Messages(IEnumerable<AI.ChatMessage> messages)
    {
        var result = new JsonArray();
        foreach (var m in messages)
        {
            var results = m.Contents.OfType<FunctionResultContent>().ToList();
            foreach (var r in results)
            {
                result.Add(
                    new JsonObject
                    {
                        ["role"] = "tool",
                        ["tool_call_id"] = r.CallId,
                        ["content"] = ResultText(r.Result),
                    }
                );
            }
            string role = Role(m.Role);
            if (results.Count > 0 && role == "tool")
                continue;
            var message = new JsonObject { ["role"] = role, ["content"] = m.Text };
            var calls = m.Contents.OfType<FunctionCallContent>().ToList();
            if (calls.Count > 0)
            {
                var json = new JsonArray();
                foreach (var c in calls)
                {
                    string arguments = JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>());
                    json.Add(MessageJson.Call(c.CallId, c.Name, arguments, "FunctionCallContent.Arguments"));
                }
                message["tool_calls"] = json;
            }
            result.Add(message);
        }
        return result;
    }

    static string Role(AI.ChatRole role) =>
        role == AI.ChatRole.System ? "system"
        : role == AI.ChatRole.Assistant ? "assistant"
        : role == AI.ChatRole.User ? "user"
        : role == AI.ChatRole.Tool ? "tool"
        : throw new ArgumentException($"role {role} is not supported.", nameof(role));

    /// <summary>A function's result as the tool message's text: a string as it is, anything else as JSON.</summary>
    static string ResultText(object? result) =>
        result switch
        {
            null => "",
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
            _ => JsonSerializer.Serialize(result),
        };

    /// <summary>The options' tools and tool mode, checked as a request's <c>tools</c> and <c>tool_choice</c>
    /// are.</summary>
    public static ToolUse Read(ChatOptions? options, Text.PromptFormat prompt)
    {
        var declared = options?.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        if (declared.Count == 0)
            return ToolUse.Off;
        var tools = ToolRequests.Nested([
            .. declared.Select(f => new ToolDto
            {
                Type = "function",
                Function = new FunctionDto
                {
                    Name = f.Name,
                    Description = string.IsNullOrEmpty(f.Description) ? null : f.Description,
                    Parameters = f.JsonSchema,
                },
            }),
        ]);
        JsonNode? choice = options!.ToolMode switch
        {
            NoneChatToolMode => "none",
            RequiredChatToolMode { RequiredFunctionName: { } name } => new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = name },
            },
            RequiredChatToolMode => "required",
            _ => "auto",
        };
        return ToolRequests.Read(
            tools,
            JsonSerializer.SerializeToElement(choice),
            options.AllowMultipleToolCalls,
            prompt.ToolFormat,
            c => ToolRequests.StringAt(c, "function", "name"),
            "RequireSpecific(name)"
        );
    }

    /// <summary>The calls as contents, each with a fresh call id and its arguments as a dictionary.</summary>
    public static IEnumerable<AIContent> Calls(IReadOnlyList<Text.ToolCall> calls) =>
        calls.Select(c => new FunctionCallContent(
            ToolUse.NewCallId(),
            c.Name,
            JsonSerializer.Deserialize<Dictionary<string, object?>>(c.ArgumentsJson)
        ));
}
