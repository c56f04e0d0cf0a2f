using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Server.Api;

/// <summary>The body of <c>POST /v1/completions</c> (OpenAI's legacy completions with vLLM's extensions, what RL
/// frameworks send a rollout engine). Unknown fields are refused (400).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
sealed record CompletionRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; init; }

    /// <summary>A string (tokenized as is, no chat template) or an array of token ids.</summary>
    [JsonPropertyName("prompt")]
    public JsonElement? Prompt { get; init; }

    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; init; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; init; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; init; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; init; }

    [JsonPropertyName("min_p")]
    public double? MinP { get; init; }

    [JsonPropertyName("n")]
    public int? N { get; init; }

    [JsonPropertyName("seed")]
    public long? Seed { get; init; }

    [JsonPropertyName("stop")]
    public JsonElement? Stop { get; init; }

    /// <summary>OpenAI: the log-probabilities of the sampled tokens (and, above 0, that many alternatives — not
    /// served here).</summary>
    [JsonPropertyName("logprobs")]
    public int? Logprobs { get; init; }

    /// <summary>vLLM: <c>prompt_token_ids</c> and <c>token_ids</c> on each choice.</summary>
    [JsonPropertyName("return_token_ids")]
    public bool? ReturnTokenIds { get; init; }

    /// <summary>vLLM: <c>logprobs.tokens</c> as <c>token_id:N</c> strings.</summary>
    [JsonPropertyName("return_tokens_as_token_ids")]
    public bool? ReturnTokensAsTokenIds { get; init; }

    /// <summary>vLLM: accepted; the text is decoded with special tokens kept either way.</summary>
    [JsonPropertyName("skip_special_tokens")]
    public bool? SkipSpecialTokens { get; init; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; init; }

    [JsonPropertyName("echo")]
    public bool? Echo { get; init; }

    [JsonPropertyName("user")]
    public string? User { get; init; }
}
