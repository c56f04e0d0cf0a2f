using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Ponder.Generation;
using Ponder.Serving;
using Ponder.Text;

namespace Ponder.Server.Api;

/// <summary>Reads and checks request bodies; every problem becomes an <see cref="ApiException"/> that says what to
/// change.</summary>
static class RequestReader
{
    /// <summary>The body as <typeparamref name="T"/>: 413 over <paramref name="maxBytes"/>, 400 unless it is UTF-8
    /// JSON of the right shape.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, int maxBytes)
        where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            throw new ApiException(
                413,
                $"the request body has {request.ContentLength} bytes; at most {maxBytes} are accepted."
            );
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        try
        {
            int read;
            while (
                (read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false))
                > 0
            )
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                    throw new ApiException(413, $"the request body exceeds {maxBytes} bytes.");
            }
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits, met while the body is still arriving (a chunked body has no length to check
            // first): its size limit, a malformed chunk, a body cut short.
            throw e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new ApiException(413, $"the request body exceeds {maxBytes} bytes.")
                : new ApiException(e.StatusCode, $"the request body could not be read: {e.Message}");
        }
        return JsonBody.Parse<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>
    /// vLLM's <c>chat_template_kwargs</c>: an object whose fields become chat-template variables (such as
    /// <c>enable_thinking</c>). The names the template itself binds — <c>messages</c>,
    /// <c>add_generation_prompt</c> — cannot be set this way.
    /// </summary>
    public static IReadOnlyDictionary<string, JsonElement>? TemplateKwargs(JsonElement? kwargs, string param)
    {
        if (kwargs is not { } k || k.ValueKind == JsonValueKind.Null)
            return null;
        if (k.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest(
                $"'{param}' must be an object of template variables such as {{\"enable_thinking\": false}}, not "
                    + $"{k.ValueKind.ToString().ToLowerInvariant()}.",
                param
            );
        }
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in k.EnumerateObject())
        {
            if (p.Name is "messages" or "add_generation_prompt")
            {
                throw ApiException.BadRequest(
                    $"'{param}.{p.Name}' cannot be set: the server renders the messages itself.",
                    $"{param}.{p.Name}"
                );
            }
            result[p.Name] = p.Value.Clone();
        }
        return result;
    }

    /// <summary>A string, or text parts (<c>text</c>, <c>input_text</c>, <c>output_text</c>) concatenated.</summary>
    public static string Content(JsonElement? content, string param)
    {
        if (content is not { } c || c.ValueKind == JsonValueKind.Null)
            return "";
        if (c.ValueKind == JsonValueKind.String)
            return c.GetString()!;
        if (c.ValueKind != JsonValueKind.Array)
            throw ApiException.BadRequest($"{param} must be a string or an array of text parts.", param);
        var text = new System.Text.StringBuilder();
        foreach (var part in c.EnumerateArray())
        {
            if (
                part.ValueKind != JsonValueKind.Object
                || !part.TryGetProperty("type", out var type)
                || type.ValueKind != JsonValueKind.String
                || type.GetString() is not ("text" or "input_text" or "output_text")
                || !part.TryGetProperty("text", out var t)
                || t.ValueKind != JsonValueKind.String
            )
            {
                throw ApiException.BadRequest(
                    $"{param}: only text parts ({{\"type\": \"text\", \"text\": \"...\"}}) are supported.",
                    param
                );
            }

            text.Append(t.GetString());
        }
        return text.ToString();
    }

    public static IReadOnlyList<string> Stop(JsonElement? stop)
    {
        if (stop is not { } s || s.ValueKind == JsonValueKind.Null)
            return [];
        if (s.ValueKind == JsonValueKind.String)
            return [s.GetString()!];
        if (
            s.ValueKind == JsonValueKind.Array
            && s.GetArrayLength() <= 4
            && s.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String && x.GetString()!.Length > 0)
        )
        {
            return [.. s.EnumerateArray().Select(x => x.GetString()!)];
        }

        throw ApiException.BadRequest("'stop' must be a non-empty string or an array of up to 4 of them.", "stop");
    }

    /// <summary>The thinking budget for <c>reasoning_effort</c>: none/minimal → 0, low/medium/high from the model's
    /// generation config (or fractions of the context); absent → medium, as OpenAI defaults.</summary>
    public static int ThinkingBudget(string? effort, InferenceEngine engine, string param)
    {
        switch (effort ?? "medium")
        {
            case "none" or "minimal":
                return 0;
            case "low" or "medium" or "high" or "xhigh":
                try
                {
                    return ReasoningEffort.Budget(
                        effort == "xhigh" ? "high" : effort ?? "medium",
                        engine.Model.Generation,
                        engine.ContextLength
                    );
                }
                catch (PonderException e)
                {
                    throw new ApiException(500, e.Message, "server_error");
                }
            default:
                throw ApiException.BadRequest(
                    $"'{param}' \"{effort}\" must be one of none, minimal, low, medium, high, xhigh.",
                    param
                );
        }
    }

    /// <summary>The completion limit: what the request asks (bounded by the server), else what fits the
    /// context.</summary>
    public static int MaxTokens(
        int? requested,
        string param,
        int promptTokens,
        InferenceEngine engine,
        ServerOptions options
    )
    {
        if (requested is int r)
        {
            if (r < 1 || r > options.MaxCompletionTokens)
            {
                throw ApiException.BadRequest(
                    $"'{param}' {r} must be between 1 and {options.MaxCompletionTokens}.",
                    param
                );
            }

            return r;
        }
        int room = engine.ContextLength - promptTokens;
        if (room < 1)
        {
            throw ApiException.BadRequest(
                $"the prompt has {promptTokens} tokens, the model's context is {engine.ContextLength}: "
                    + "shorten the messages.",
                "messages",
                "context_length_exceeded"
            );
        }

        return Math.Min(options.MaxCompletionTokens, room);
    }

    /// <summary>OpenAI's <c>logit_bias</c>: token ids as JSON string keys, each bias in [−100, 100].</summary>
    public static IReadOnlyDictionary<int, double> LogitBias(Dictionary<string, double>? bias, int vocabSize)
    {
        var result = new Dictionary<int, double>();
        foreach (var (key, value) in bias ?? [])
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id >= vocabSize)
            {
                throw ApiException.BadRequest(
                    $"'logit_bias' key \"{key}\" must be a token id from 0 to {vocabSize - 1}.",
                    "logit_bias"
                );
            }

            if (double.IsNaN(value) || value < -100 || value > 100)
            {
                throw ApiException.BadRequest(
                    $"'logit_bias' value {value} for token \"{key}\" must be between -100 and 100.",
                    "logit_bias"
                );
            }

            result[id] = value;
        }
        return result;
    }

    /// <summary>Only plain text is generated: a JSON format would need constrained decoding, which Ponder does not
    /// do, so asking for one is refused rather than answered with text that may not parse.</summary>
    public static void TextFormat(string? type, string param)
    {
        if (type != "text")
        {
            throw ApiException.BadRequest(
                $"'{param}' \"{type}\" is not supported: only \"text\" is (constrained decoding for JSON output is not "
                    + "implemented).",
                param
            );
        }
    }

    /// <summary>OpenAI's <c>logprobs</c> and <c>top_logprobs</c> as the top candidates to return: null when
    /// <c>logprobs</c> is not true, else <c>top_logprobs</c> (0 to 20, default 0), refused without
    /// <c>logprobs</c>.</summary>
    public static int? TopLogprobs(bool? logprobs, int? top)
    {
        if (top is int n)
        {
            if (n < 0 || n > ModelLogprobs.MaxTop)
            {
                throw ApiException.BadRequest(
                    $"'top_logprobs' {n} must be between 0 and {ModelLogprobs.MaxTop}.",
                    "top_logprobs"
                );
            }
            if (logprobs != true)
            {
                throw ApiException.BadRequest(
                    "'top_logprobs' needs 'logprobs' set to true: add \"logprobs\": true or drop 'top_logprobs'.",
                    "top_logprobs"
                );
            }
        }
        return logprobs == true ? top ?? 0 : null;
    }

    public static double Range(double? value, double fallback, double min, double max, string param)
    {
        double v = value ?? fallback;
        if (double.IsNaN(v) || v < min || v > max)
            throw ApiException.BadRequest($"'{param}' {v} must be between {min} and {max}.", param);
        return v;
    }
}
