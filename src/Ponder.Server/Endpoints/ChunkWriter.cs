using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Ponder.Server.Endpoints;

/// <summary>The chunks of one streamed completion. Every chunk names the completion; with include_usage each
/// carries "usage": null, and a last chunk with no choices carries the usage.</summary>
sealed class ChunkWriter(HttpResponse response, string id, long created, string model, bool includeUsage)
{
    /// <summary>A chunk with one choice's delta (and its finish reason on its last chunk); vLLM's token ids go
    /// in <paramref name="choiceFields"/> (on the choice) and <paramref name="top"/> (on the chunk).</summary>
    public Task Delta(
        int index,
        JsonObject delta,
        string? finish,
        JsonObject? logprobs = null,
        JsonObject? choiceFields = null,
        JsonObject? top = null
    )
    {
        var choice = new JsonObject
        {
            ["index"] = index,
            ["delta"] = delta,
            ["logprobs"] = logprobs,
            ["finish_reason"] = finish,
        };
        foreach (var (name, value) in choiceFields ?? [])
            choice[name] = value?.DeepClone();
        var chunk = Chunk([choice]);
        foreach (var (name, value) in top ?? [])
        {
            if (value is not null)
                chunk[name] = value.DeepClone();
        }
        return Sse.Data(response, chunk);
    }

    public Task Last(JsonObject usage)
    {
        var last = Chunk([]);
        last["usage"] = usage;
        return Sse.Data(response, last);
    }

    JsonObject Chunk(JsonArray choices)
    {
        var chunk = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["system_fingerprint"] = null,
            ["choices"] = choices,
        };
        if (includeUsage)
            chunk["usage"] = null;
        return chunk;
    }
}
