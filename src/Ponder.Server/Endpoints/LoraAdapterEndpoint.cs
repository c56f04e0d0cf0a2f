using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Ponder.Server.Api;

namespace Ponder.Server.Endpoints;

/// <summary>vLLM's <c>POST /v1/load_lora_adapter</c> and <c>/v1/unload_lora_adapter</c> body. vLLM's other fields
/// (<c>lora_int_id</c>, …) are accepted and ignored.</summary>
sealed record LoraAdapterRequest
{
    [JsonPropertyName("lora_name")]
    public string? LoraName { get; init; }

    [JsonPropertyName("lora_path")]
    public string? LoraPath { get; init; }

    /// <summary>vLLM: reload an adapter under a name already loaded (otherwise that is refused).</summary>
    [JsonPropertyName("load_inplace")]
    public bool? LoadInplace { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>
/// Adapter sync from a trainer, as vLLM serves it: load a PEFT adapter folder under a name, which requests then give
/// as their <c>model</c>; unload it by name. Answers as vLLM: 200 with a plain-text success line, OpenAI's error
/// object otherwise (400; 404 for an unknown name). Deviation: <c>ponder serve</c> computes with one adapter at a
/// time — loading another replaces it, and while one is loaded the base model's name is not served (unload it to serve
/// the base again). The change waits for running requests to finish (waiting ones start with the adapter).
/// </summary>
static class LoraAdapterEndpoint
{
    public const string LoadPath = "/v1/load_lora_adapter";
    public const string UnloadPath = "/v1/unload_lora_adapter";

    public static async Task<IResult> Load(HttpContext ctx, ServerState s)
    {
        var req = await RequestReader
            .ReadAsync<LoraAdapterRequest>(ctx.Request, s.Options.MaxRequestBytes)
            .ConfigureAwait(false);
        string name = Name(req, s);
        if (string.IsNullOrWhiteSpace(req.LoraPath))
            throw ApiException.BadRequest("'lora_path' is required: the adapter's folder.", "lora_path");
        if (name == s.Adapter.Name && req.LoadInplace != true)
        {
            throw ApiException.BadRequest(
                $"The lora adapter '{name}' has already been loaded; send load_inplace true to reload it.",
                "lora_name"
            );
        }

        string path = req.LoraPath;
        try
        {
            await s.Engine.UpdateWeightsAsync(lm => lm.UseAdapter(path)).ConfigureAwait(false);
        }
        catch (PonderException e)
        {
            if (s.Engine.Model.Network.Adapter is null)
                s.Adapter.Name = null;
            throw ApiException.BadRequest(e.Message, "lora_path");
        }
        s.Adapter.Name = name;
        return Results.Text($"Success: LoRA adapter '{name}' added successfully.");
    }

    public static async Task<IResult> Unload(HttpContext ctx, ServerState s)
    {
        var req = await RequestReader
            .ReadAsync<LoraAdapterRequest>(ctx.Request, s.Options.MaxRequestBytes)
            .ConfigureAwait(false);
        string name = Name(req, s);
        if (name != s.Adapter.Name)
        {
            throw new ApiException(
                404,
                $"The lora adapter '{name}' cannot be found.",
                param: "lora_name",
                code: "model_not_found"
            );
        }

        await s.Engine.UpdateWeightsAsync(lm => lm.Network.DropAdapter()).ConfigureAwait(false);
        s.Adapter.Name = null;
        return Results.Text($"Success: LoRA adapter '{name}' removed successfully.");
    }

    static string Name(LoraAdapterRequest req, ServerState s)
    {
        if (string.IsNullOrWhiteSpace(req.LoraName))
            throw ApiException.BadRequest("'lora_name' is required.", "lora_name");
        if (req.LoraName == s.Options.ModelId)
        {
            throw ApiException.BadRequest(
                $"'{req.LoraName}' is the base model's name; give the adapter another.",
                "lora_name"
            );
        }

        return req.LoraName;
    }
}
