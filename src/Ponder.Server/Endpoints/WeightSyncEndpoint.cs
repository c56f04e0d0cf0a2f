using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Ponder.Server.Api;

namespace Ponder.Server.Endpoints;

/// <summary>SGLang's <c>POST /update_weights_from_disk</c> body: the model folder to load. SGLang's other fields
/// (<c>load_format</c>, <c>abort_all_requests</c>, <c>weight_version</c>, …) are accepted and ignored.</summary>
sealed record UpdateWeightsRequest
{
    [JsonPropertyName("model_path")]
    public string? ModelPath { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>
/// Weight sync from a trainer, as SGLang serves it: <c>POST /update_weights_from_disk {"model_path": DIR}</c> loads a
/// checkpoint of the same architecture into the served model, after the running requests finish (waiting ones start
/// with the new weights), and answers <c>{"success": true|false, "message": …}</c> (400 when it failed; the old
/// weights then still serve). Behind the API key like /v1.
/// </summary>
static class WeightSyncEndpoint
{
    public const string Path = "/update_weights_from_disk";

    public static async Task<IResult> Handle(HttpContext ctx, ServerState s)
    {
        var request = await RequestReader
            .ReadAsync<UpdateWeightsRequest>(ctx.Request, s.Options.MaxRequestBytes)
            .ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(request.ModelPath))
            return Answer(false, "model_path is required: the folder of the checkpoint to load.");
        string path = request.ModelPath;
        try
        {
            await s.Engine.UpdateWeightsAsync(lm => lm.ReloadWeights(path)).ConfigureAwait(false);
        }
        catch (PonderException e)
        {
            return Answer(false, e.Message);
        }
        return Answer(true, $"Succeeded to update model weights from {path}.");
    }

    static IResult Answer(bool success, string message) =>
        Results.Json(
            new JsonObject { ["success"] = success, ["message"] = message },
            statusCode: success ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest
        );
}
