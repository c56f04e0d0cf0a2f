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
    public void CheckModel(string? model)
    {
        if (string.IsNullOrEmpty(model))
            throw ApiException.BadRequest("'model' is required.", "model");
        if (model != Options.ModelId)
        {
            throw new ApiException(
                404,
                $"The model '{model}' does not exist; this server serves '{Options.ModelId}'.",
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
