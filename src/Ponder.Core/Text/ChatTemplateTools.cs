using System.Text.Json;
using Ponder.Text.Jinja;

namespace Ponder.Text;

/// <summary>Tools in ChatML, as Qwen3's template writes them: the definitions in the system turn, each call in
/// <c>&lt;tool_call&gt;</c> after the answer, the results in <c>&lt;tool_response&gt;</c> inside a <c>user</c>
/// turn.</summary>
public sealed partial class ChatTemplate
{
    const string ToolsPreamble =
        "# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with "
        + "function signatures within <tools></tools> XML tags:\n<tools>";

    const string ToolsPostamble =
        "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
        + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
        + "<args-json-object>}\n</tool_call>";

    /// <summary>The system turn with the tools (a first system message's text first).</summary>
    static void ToolsTurn(List<Segment> segments, IReadOnlyList<ChatMessage> messages, IReadOnlyList<JsonElement> tools)
    {
        var text = new JinjaStringBuilder().AppendTrusted("system\n");
        if (messages.Count > 0 && messages[0].Role is ChatRole.System or ChatRole.Developer)
            text.Append(JinjaString.Untrusted(messages[0].Content)).AppendTrusted("\n\n");
        text.AppendTrusted(ToolsPreamble);
        foreach (var tool in tools)
            text.AppendTrusted("\n").Append(JinjaString.Untrusted(ChatMessages.ToJson(tool)));
        text.AppendTrusted(ToolsPostamble);
        segments.Add(new(ImStart, true, false));
        segments.Add(new(text.Build(), assistant: false));
        segments.Add(new(ImEnd, true, false));
        segments.Add(new("\n", false, false));
    }

    /// <summary>An assistant turn's calls as the template writes them after its content: each in
    /// <c>&lt;tool_call&gt;</c>, on a line of its own.</summary>
    public static string CallsText(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Calls(message).Value;
    }

    static JinjaString Calls(ChatMessage message)
    {
        if (message.ToolCalls is not { Count: > 0 } calls)
            return JinjaString.Empty;
        var text = new JinjaStringBuilder();
        for (int i = 0; i < calls.Count; i++)
        {
            if (i > 0 || message.Content.Length > 0)
                text.AppendTrusted("\n");
            text.AppendTrusted("<tool_call>\n{\"name\": \"")
                .Append(JinjaString.Untrusted(calls[i].Name))
                .AppendTrusted("\", \"arguments\": ")
                .Append(JinjaString.Untrusted(calls[i].ArgumentsJson))
                .AppendTrusted("}\n</tool_call>");
        }
        return text.Build();
    }

    /// <summary>A tool result: consecutive results share one <c>user</c> turn.</summary>
    static void ToolResult(List<Segment> segments, IReadOnlyList<ChatMessage> messages, int i)
    {
        bool first = i == 0 || messages[i - 1].Role != ChatRole.Tool;
        bool last = i == messages.Count - 1 || messages[i + 1].Role != ChatRole.Tool;
        if (first)
            segments.Add(new(ImStart, true, false));
        var text = new JinjaStringBuilder()
            .AppendTrusted((first ? "user" : "") + "\n<tool_response>\n")
            .Append(JinjaString.Untrusted(messages[i].Content))
            .AppendTrusted("\n</tool_response>");
        segments.Add(new(text.Build(), assistant: false));
        if (last)
        {
            segments.Add(new(ImEnd, true, false));
            segments.Add(new("\n", false, false));
        }
    }
}
