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

/// <summary>A message of <c>input</c>; <c>type</c> is "message" when given.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record InputMessageDto
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("role")]
    public string? Role { get; init; }

    [JsonPropertyName("content")]
    public JsonElement? Content { get; init; }
}
