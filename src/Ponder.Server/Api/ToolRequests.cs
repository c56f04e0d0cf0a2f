using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ponder.Text;

namespace Ponder.Server.Api;

/// <summary>Reads <c>tools</c>, <c>tool_choice</c> and <c>parallel_tool_calls</c> into a <see cref="ToolUse"/>;
/// every problem is a 400 naming the field.</summary>
static partial class ToolRequests
{
    /// <summary>OpenAI's rule for function names.</summary>
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();

    /// <summary>Chat completions' tools: <c>{"type": "function", "function": {...}}</c>.</summary>
    public static JsonArray? Nested(IReadOnlyList<ToolDto?>? tools)
    {
        if (tools is null)
            return null;
        var declared = new List<(string?, string?, JsonElement?)>();
        for (int i = 0; i < tools.Count; i++)
        {
            string at = $"tools[{i}]";
            var tool = tools[i] ?? throw ApiException.BadRequest($"'{at}' must be an object (a tool).", at);
            CheckType(tool.Type, at);
            var f =
                tool.Function
                ?? throw ApiException.BadRequest(
                    $"'{at}.function' is required: {{\"name\", \"description\"?, \"parameters\"?}}.",
                    $"{at}.function"
                );
            declared.Add((f.Name, f.Description, f.Parameters));
        }
        return Declarations(declared, i => $"tools[{i}].function");
    }

    /// <summary>The Responses API's tools: <c>{"type": "function", "name", ...}</c>.</summary>
    public static JsonArray? Flat(IReadOnlyList<FlatToolDto?>? tools)
    {
        if (tools is null)
            return null;
        var declared = new List<(string?, string?, JsonElement?)>();
        for (int i = 0; i < tools.Count; i++)
        {
            string at = $"tools[{i}]";
            var tool = tools[i] ?? throw ApiException.BadRequest($"'{at}' must be an object (a tool).", at);
            CheckType(tool.Type, at);
            declared.Add((tool.Name, tool.Description, tool.Parameters));
        }
        return Declarations(declared, i => $"tools[{i}]");
    }

    static void CheckType(string? type, string at)
    {
        if (type != "function")
        {
            throw ApiException.BadRequest(
                $"'{at}.type' \"{type}\" is not supported: only \"function\" tools are.",
                $"{at}.type"
            );
        }
    }

    /// <summary>The tools in the nested shape templates read, names checked (OpenAI's pattern, each once) and
    /// parameters an object when given.</summary>
    static JsonArray Declarations(
        List<(string? Name, string? Description, JsonElement? Parameters)> tools,
        Func<int, string> at
    )
    {
        if (tools.Count == 0)
            throw ApiException.BadRequest("'tools' must not be empty: leave it out to call no functions.", "tools");
        var result = new JsonArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tools.Count; i++)
        {
            var (name, description, parameters) = tools[i];
            if (name is null || !FunctionName().IsMatch(name))
            {
                throw ApiException.BadRequest(
                    $"'{at(i)}.name' \"{name}\" must be 1 to 64 letters, digits, underscores or dashes.",
                    $"{at(i)}.name"
                );
            }
            if (!names.Add(name))
                throw ApiException.BadRequest($"'{at(i)}.name' \"{name}\" is declared twice.", $"{at(i)}.name");
            var function = new JsonObject { ["name"] = name };
            if (description is not null)
                function["description"] = description;
            if (parameters is { ValueKind: not JsonValueKind.Null } p)
            {
                if (p.ValueKind != JsonValueKind.Object)
                {
                    throw ApiException.BadRequest(
                        $"'{at(i)}.parameters' must be a JSON schema object.",
                        $"{at(i)}.parameters"
                    );
                }
                function["parameters"] = JsonNode.Parse(p.GetRawText());
            }
            result.Add(new JsonObject { ["type"] = "function", ["function"] = function });
        }
        return result;
    }

    /// <summary>
    /// The request's tool use. <paramref name="nameOf"/> reads a named choice's function name (its place differs
    /// between the APIs). A choice other than "none" without tools, a named function not among the tools, or tools
    /// for a model whose chat template cannot render them is a 400.
    /// </summary>
    public static ToolUse Read(
        JsonArray? tools,
        JsonElement? choice,
        bool? parallel,
        ToolCallFormat? format,
        Func<JsonElement, string?> nameOf,
        string namedShape
    )
    {
        var (kind, named) = Choice(choice, nameOf, namedShape);
        if (tools is null)
        {
            if (kind is ToolChoice.Required or ToolChoice.Named)
            {
                throw ApiException.BadRequest(
                    "'tool_choice' needs 'tools': declare the functions the model may call.",
                    "tool_choice"
                );
            }
            return ToolUse.Off;
        }
        if (named is not null && !tools.Any(t => (string?)t!["function"]!["name"] == named))
        {
            throw ApiException.BadRequest(
                $"'tool_choice' names the function \"{named}\", which is not among 'tools'.",
                "tool_choice"
            );
        }
        if (format is not { } f)
        {
            if (kind == ToolChoice.None)
                return ToolUse.Off;
            throw ApiException.BadRequest(
                "this model's chat template cannot render tools (it has no tools branch): leave out 'tools', or "
                    + "serve a model whose template has one.",
                "tools"
            );
        }
        return new ToolUse(tools, f, kind, named, parallel ?? true);
    }

    static (ToolChoice, string?) Choice(JsonElement? choice, Func<JsonElement, string?> nameOf, string namedShape)
    {
        if (choice is not { } c || c.ValueKind == JsonValueKind.Null)
            return (ToolChoice.Auto, null);
        if (c.ValueKind == JsonValueKind.String)
        {
            return c.GetString() switch
            {
                "auto" => (ToolChoice.Auto, null),
                "none" => (ToolChoice.None, null),
                "required" => (ToolChoice.Required, null),
                var other => throw ApiException.BadRequest(
                    $"'tool_choice' \"{other}\" must be auto, none, required or {namedShape}.",
                    "tool_choice"
                ),
            };
        }
        string? name =
            c.ValueKind == JsonValueKind.Object
            && c.TryGetProperty("type", out var type)
            && type.ValueKind == JsonValueKind.String
            && type.GetString() == "function"
                ? nameOf(c)
                : null;
        if (name is null)
        {
            throw ApiException.BadRequest(
                $"'tool_choice' must be auto, none, required or {namedShape}.",
                "tool_choice"
            );
        }
        return (ToolChoice.Named, name);
    }

    /// <summary>A string property of <paramref name="o"/>, or null.</summary>
    public static string? StringAt(JsonElement o, params string[] path)
    {
        foreach (var step in path)
        {
            if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty(step, out o))
                return null;
        }
        return o.ValueKind == JsonValueKind.String ? o.GetString() : null;
    }
}
