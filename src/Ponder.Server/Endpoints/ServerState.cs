using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Ponder.Server.Api;
using Ponder.Serving;

namespace Ponder.Server.Endpoints;

/// <summary>What every endpoint needs.</summary>
sealed record ServerState(InferenceEngine Engine, ServerOptions Options, ILogger Logger)
{
    /// <summary>The LoRA adapter loaded over the API (<see cref="LoraAdapterEndpoint"/>), if any.</summary>
    public ServedAdapter Adapter { get; } = new();

    /// <summary>The model name requests give: the adapter's while one is loaded, else the base's.</summary>
    public string Served => Adapter.Name ?? Options.ModelId;

    public void CheckModel(string? model)
    {
        if (string.IsNullOrEmpty(model))
            throw ApiException.BadRequest("'model' is required.", "model");
        if (model != Served)
        {
            string why =
                Adapter.Name is { } name && model == Options.ModelId
                    ? $"while the LoRA adapter '{name}' is loaded this server computes with it only; name it, or "
                        + "unload "
                        + "it (POST /v1/unload_lora_adapter) to serve the base model."
                    : $"this server serves '{Served}'.";
            throw new ApiException(
                404,
                $"The model '{model}' does not exist; {why}",
                param: "model",
                code: "model_not_found"
            );
        }
    }

    /// <summary>Submits a run; a full queue becomes 429 with Retry-After, an invalid request 400.</summary>
    public ChatRun Start(HttpContext ctx, string id, RunSettings settings)
    {
        try
        {
            return ChatRun.Start(Engine, Options, Logger, id, settings);
        }
        catch (EngineBusyException e)
        {
            ctx.Response.Headers.RetryAfter = Options.RetryAfterSeconds.ToString(
                System.Globalization.CultureInfo.InvariantCulture
            );
            throw new ApiException(429, e.Message, "rate_limit_exceeded", code: "rate_limit_exceeded");
        }
        catch (PonderException e)
        {
            throw ApiException.BadRequest(
                e.Message,
                "messages",
                e.Message.Contains("context", StringComparison.Ordinal) ? "context_length_exceeded" : null
            );
        }
    }
}

/// <summary>Server-sent events.</summary>
static class Sse
{
    public static void Begin(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
    }

    public static async Task Data(HttpResponse response, JsonNode json, string? eventName = null)
    {
        string head = eventName is null ? "" : $"event: {eventName}\n";
        await response
            .WriteAsync($"{head}data: {json.ToJsonString(Compact)}\n\n", response.HttpContext.RequestAborted)
            .ConfigureAwait(false);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    public static async Task Done(HttpResponse response)
    {
        await response.WriteAsync("data: [DONE]\n\n", response.HttpContext.RequestAborted).ConfigureAwait(false);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };
}

/// <summary>The name of the adapter the server computes with; written by the load/unload endpoints only after the
/// engine made the change.</summary>
sealed class ServedAdapter
{
    volatile string? name;

    public string? Name
    {
        get => name;
        set => name = value;
    }
}
