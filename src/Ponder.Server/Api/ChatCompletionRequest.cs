using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Server.Api;

/// <summary>The body of <c>POST /v1/chat/completions</c>. Unknown fields are refused (400), as are ill-typed
/// ones.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record ChatCompletionRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("messages")]
    public List<ChatMessageDto>? Messages { get; init; }

    [JsonPropertyName("reasoning_effort")]
    public string? ReasoningEffort { get; init; }

    /// <summary>Ponder's extension: a test-time strategy, <c>NAME:N</c> (<see cref="ServedStrategy"/>).</summary>
    [JsonPropertyName("test_time_strategy")]
    public string? TestTimeStrategy { get; init; }

    [JsonPropertyName("max_completion_tokens")]
    public int? MaxCompletionTokens { get; init; }

    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; init; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; init; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; init; }

    /// <summary>vLLM's extra sampling parameter: keep the K most likely tokens (0 or −1: off).</summary>
    [JsonPropertyName("top_k")]
    public int? TopK { get; init; }

    /// <summary>vLLM's extra sampling parameter: drop tokens below min_p times the best one's probability.</summary>
    [JsonPropertyName("min_p")]
    public double? MinP { get; init; }

    /// <summary>Return the answer tokens' log-probabilities (under the model's own distribution).</summary>
    [JsonPropertyName("logprobs")]
    public bool? Logprobs { get; init; }

    /// <summary>Most likely tokens to return at each position, 0 to 20; needs <c>logprobs</c>.</summary>
    [JsonPropertyName("top_logprobs")]
    public int? TopLogprobs { get; init; }

    /// <summary>vLLM's extension: <c>prompt_token_ids</c> on the response and <c>token_ids</c> on each
    /// choice.</summary>
    [JsonPropertyName("return_token_ids")]
    public bool? ReturnTokenIds { get; init; }

    [JsonPropertyName("n")]
    public int? N { get; init; }

    [JsonPropertyName("seed")]
    public long? Seed { get; init; }

    [JsonPropertyName("frequency_penalty")]
    public double? FrequencyPenalty { get; init; }

    [JsonPropertyName("presence_penalty")]
    public double? PresencePenalty { get; init; }

    /// <summary>Token id (a string, as JSON keys are) → bias.</summary>
    [JsonPropertyName("logit_bias")]
    public Dictionary<string, double>? LogitBias { get; init; }

    [JsonPropertyName("response_format")]
    public ResponseFormatDto? ResponseFormat { get; init; }

    [JsonPropertyName("stop")]
    public JsonElement? Stop { get; init; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; init; }

    [JsonPropertyName("stream_options")]
    public StreamOptionsDto? StreamOptions { get; init; }

    [JsonPropertyName("user")]
    public string? User { get; init; }

    [JsonPropertyName("store")]
    public bool? Store { get; init; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>Functions the model may call: <c>[{"type": "function", "function": {"name", "description"?,
    /// "parameters"?}}]</c>.</summary>
    [JsonPropertyName("tools")]
    public List<ToolDto?>? Tools { get; init; }

    /// <summary>"auto" (the default with tools), "none", "required" or <c>{"type": "function", "function":
    /// {"name"}}</c>.</summary>
    [JsonPropertyName("tool_choice")]
    public JsonElement? ToolChoice { get; init; }

    /// <summary>False keeps only the first call the model makes.</summary>
    [JsonPropertyName("parallel_tool_calls")]
    public bool? ParallelToolCalls { get; init; }

    /// <summary>vLLM's extra chat-template variables, e.g. <c>{"enable_thinking": false}</c>.</summary>
    [JsonPropertyName("chat_template_kwargs")]
    public JsonElement? ChatTemplateKwargs { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record StreamOptionsDto
{
    [JsonPropertyName("include_usage")]
    public bool? IncludeUsage { get; init; }
}

/// <summary><c>{"type": "text" | "json_object" | "json_schema", "json_schema"?}</c>; only text is served.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record ResponseFormatDto
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("json_schema")]
    public JsonElement? JsonSchema { get; init; }
}

/// <summary>A message; <c>content</c> is a string or an array of <c>{"type": "text", "text"}</c> parts.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record ChatMessageDto
{
    [JsonPropertyName("role")]
    public string? Role { get; init; }

    [JsonPropertyName("content")]
    public JsonElement? Content { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>An assistant message's function calls.</summary>
    [JsonPropertyName("tool_calls")]
    public List<ToolCallDto?>? ToolCalls { get; init; }

    /// <summary>A tool message's answer to this call.</summary>
    [JsonPropertyName("tool_call_id")]
    public string? ToolCallId { get; init; }

    /// <summary>An assistant message's refusal (sent back by clients; not rendered).</summary>
    [JsonPropertyName("refusal")]
    public string? Refusal { get; init; }
}

/// <summary>A tool of <c>tools</c>: <c>{"type": "function", "function": {...}}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record ToolDto
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("function")]
    public FunctionDto? Function { get; init; }
}

/// <summary>A function's declaration: its name, what it does and its parameters' JSON schema.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record FunctionDto
{
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

/// <summary>A call in an assistant message: <c>{"id", "type": "function", "function": {"name",
/// "arguments"}}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record ToolCallDto
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("function")]
    public CalledFunctionDto? Function { get; init; }
}

/// <summary>The function a call names and its arguments, a JSON object's text.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record CalledFunctionDto
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("arguments")]
    public string? Arguments { get; init; }
}
