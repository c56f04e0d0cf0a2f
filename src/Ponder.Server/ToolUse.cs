using System.Text.Json;
using System.Text.Json.Nodes;
using Ponder.Text;

namespace Ponder.Server;

/// <summary>How the model may call functions: OpenAI's <c>tool_choice</c>.</summary>
enum ToolChoice
{
    /// <summary>The model decides whether to call.</summary>
    Auto,

    /// <summary>No calls: the tools are not rendered and the answer is never read for calls.</summary>
    None,

    /// <summary>The answer is made to open a call to one of the tools.</summary>
    Required,

    /// <summary>The answer is made to open a call to <see cref="ToolUse.Named"/>.</summary>
    Named,
}

/// <summary>
/// A request's function calling, checked: the tools the chat template renders (OpenAI's nested shape, as templates
/// read them), the format the model writes calls in, and what <c>tool_choice</c> asks. "required" and a named function
/// are forced (<see cref="AnswerPrefix"/>: the answer begins with the call's opening and the model continues it);
/// the calls are read from the answer only — never from the hidden reasoning — and an answer whose call does not parse
/// stays content.
/// </summary>
sealed record ToolUse(JsonArray? Tools, ToolCallFormat Format, ToolChoice Choice, string? Named, bool Parallel)
{
    /// <summary>No tools: the answer is content.</summary>
    public static ToolUse Off { get; } = new(null, ToolCallFormat.Hermes, ToolChoice.None, null, true);

    /// <summary>Whether the answer is read for calls.</summary>
    public bool ReadsCalls => Tools is not null && Choice != ToolChoice.None;

    /// <summary>The <c>tools</c> template variable, or null when the tools are not rendered.</summary>
    public JsonElement? TemplateTools => ReadsCalls ? JsonSerializer.SerializeToElement(Tools) : null;

    /// <summary>The opening forced for "required" (up to the function's name) or a named function (up to its
    /// arguments), in the model's own call format; null for auto and none.</summary>
    public string? AnswerPrefix =>
        (Choice, Format) switch
        {
            (ToolChoice.Required, ToolCallFormat.Hermes) => "<tool_call>\n{\"name\": \"",
            (ToolChoice.Required, _) => "{\"name\": \"",
            (ToolChoice.Named, ToolCallFormat.Hermes) => $"<tool_call>\n{{\"name\": {Quoted}, \"arguments\": ",
            (ToolChoice.Named, _) => $"{{\"name\": {Quoted}, \"parameters\": ",
            _ => null,
        };

    string Quoted => JsonSerializer.Serialize(Named);

    /// <summary>The answer's content and calls: the whole answer and no calls unless calls are read and they parse;
    /// only the first call when parallel calls are off.</summary>
    public (string? Content, IReadOnlyList<ToolCall> Calls) Read(string answer)
    {
        if (!ReadsCalls)
            return (answer, []);
        var (content, calls) = ToolCalls.Parse(answer, Format);
        if (calls.Count == 0)
            return (answer, []);
        return (content, Parallel ? calls : [calls[0]]);
    }

    /// <summary>Template variables with the tools added (when rendered); the request's own <c>tools</c> wins over a
    /// <c>chat_template_kwargs</c> one.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Variables(IReadOnlyDictionary<string, JsonElement>? kwargs)
    {
        if (TemplateTools is not { } tools)
            return kwargs;
        var all = new Dictionary<string, JsonElement>(
            kwargs ?? new Dictionary<string, JsonElement>(),
            StringComparer.Ordinal
        )
        {
            ["tools"] = tools,
        };
        return all;
    }

    /// <summary>A fresh call id, unique as OpenAI's are.</summary>
    public static string NewCallId() => "call_" + Guid.NewGuid().ToString("N")[..24];

    /// <summary>OpenAI's <c>tool_calls</c>: each call with a fresh id, its arguments as JSON text; streamed deltas
    /// number them.</summary>
    public static JsonArray Json(IReadOnlyList<ToolCall> calls, bool withIndex)
    {
        var result = new JsonArray();
        for (int i = 0; i < calls.Count; i++)
        {
            var call = new JsonObject();
            if (withIndex)
                call["index"] = i;
            call["id"] = NewCallId();
            call["type"] = "function";
            call["function"] = new JsonObject { ["name"] = calls[i].Name, ["arguments"] = calls[i].ArgumentsJson };
            result.Add(call);
        }
        return result;
    }
}
