using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Server.Api;

/// <summary>The body of <c>POST /v1/responses</c> (the subset a reasoning text model needs).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record ResponsesRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; init; }

    /// <summary>A string (one user message) or an array of <c>{"role", "content"}</c> messages.</summary>
    [JsonPropertyName("input")]
    public JsonElement? Input { get; init; }

    [JsonPropertyName("instructions")]
    public string? Instructions { get; init; }

    [JsonPropertyName("reasoning")]
    public ReasoningDto? Reasoning { get; init; }

    [JsonPropertyName("max_output_tokens")]
    public int? MaxOutputTokens { get; init; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; init; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; init; }

    [JsonPropertyName("seed")]
    public long? Seed { get; init; }

    [JsonPropertyName("text")]
    public TextDto? Text { get; init; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; init; }

    [JsonPropertyName("store")]
    public bool? Store { get; init; }

    [JsonPropertyName("user")]
    public string? User { get; init; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>Functions the model may call, flat: <c>[{"type": "function", "name", "description"?,
    /// "parameters"?}]</c>.</summary>
    [JsonPropertyName("tools")]
    public List<FlatToolDto?>? Tools { get; init; }

    /// <summary>"auto", "none", "required" or <c>{"type": "function", "name"}</c>.</summary>
    [JsonPropertyName("tool_choice")]
    public JsonElement? ToolChoice { get; init; }

    [JsonPropertyName("parallel_tool_calls")]
    public bool? ParallelToolCalls { get; init; }
}

/// <summary>A tool of the Responses API: the function's fields beside its type.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record FlatToolDto
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("parameters")]
    public JsonElement? Parameters { get; init; }

    /// <summary>Accepted and ignored: calls are not constrained to the schema.</summary>
    [JsonPropertyName("strict")]
    public bool? Strict { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record ReasoningDto
{
    [JsonPropertyName("effort")]
    public string? Effort { get; init; }

    /// <summary>auto | concise | detailed; null asks for no summary.</summary>
    [JsonPropertyName("summary")]
    public string? Summary { get; init; }
}

/// <summary>Output text options: <c>{"format": {...}}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record TextDto
{
    [JsonPropertyName("format")]
    public TextFormatDto? Format { get; init; }
}

/// <summary><c>{"type": "text" | "json_object" | "json_schema", ...}</c> (a json_schema format carries its schema
/// inline); only text is served.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record TextFormatDto
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("schema")]
    public JsonElement? Schema { get; init; }

    [JsonPropertyName("strict")]
    public bool? Strict { get; init; }
}

/// <summary>An item of <c>input</c>: a message (<c>type</c> "message" or absent), a function call the model made
/// (<c>function_call</c>), its result (<c>function_call_output</c>), or a reasoning item sent back (ignored).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record InputMessageDto
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("call_id")]
    public string? CallId { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("arguments")]
    public string? Arguments { get; init; }

    [JsonPropertyName("output")]
    public string? Output { get; init; }

    /// <summary>A reasoning item's summary parts, sent back with it.</summary>
    [JsonPropertyName("summary")]
    public JsonElement? Summary { get; init; }

    [JsonPropertyName("encrypted_content")]
    public string? EncryptedContent { get; init; }

    [JsonPropertyName("role")]
    public string? Role { get; init; }

    [JsonPropertyName("content")]
    public JsonElement? Content { get; init; }
}
