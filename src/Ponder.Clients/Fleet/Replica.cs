using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Ponder.Clients.Fleet;

/// <summary>A replica that did not answer, timed out or refused a request; the fleet retries elsewhere.</summary>
sealed class ReplicaFailure(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One inference server of the fleet, over plain HTTP + JSON (the request shapes of vLLM and SGLang, which
/// the OpenAI SDK does not model: token-id prompts, <c>return_token_ids</c>, the weight-sync routes).</summary>
sealed class Replica : IDisposable
{
    readonly HttpClient http;
    int outstanding;

    public Replica(Uri endpoint, string? apiKey, double timeoutSeconds)
    {
        string root = endpoint.ToString().TrimEnd('/');
        if (root.EndsWith("/v1", StringComparison.Ordinal))
            root = root[..^3];
        Root = new Uri(root + "/");
        http = new HttpClient { BaseAddress = Root, Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        if (apiKey is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>The server's root URL (routes are under it: v1/completions, update_weights_from_disk).</summary>
    public Uri Root { get; }

    /// <summary>Requests sent and not yet answered.</summary>
    public int Outstanding => Volatile.Read(ref outstanding);

    /// <summary>Why the replica is out of the fleet until the next sync tries it again; null while it serves.</summary>
    public string? Down { get; set; }

    /// <summary>The newest adapter name loaded on it (adapter sync), to unload after the next one.</summary>
    public string? Adapter { get; set; }

    public void Begin() => Interlocked.Increment(ref outstanding);

    public void End() => Interlocked.Decrement(ref outstanding);

    /// <summary>POSTs <paramref name="body"/> and returns the answer's text; a transport error, a time-out or a
    /// non-2xx status is a <see cref="ReplicaFailure"/> that quotes the server's message.</summary>
    public async Task<string> PostAsync(string path, JsonObject body, CancellationToken cancellation = default)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, cancellation)
            .ConfigureAwait(false);
    }

    public Task<string> GetAsync(string path, CancellationToken cancellation = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellation);

    async Task<string> SendAsync(HttpRequestMessage request, CancellationToken cancellation)
    {
        using var _ = request;
        try
        {
            using var response = await http.SendAsync(request, cancellation).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new ReplicaFailure($"{(int)response.StatusCode} on {request.RequestUri}: {Message(text)}");
            return text;
        }
        catch (HttpRequestException e)
        {
            throw new ReplicaFailure($"could not be reached ({e.Message})", e);
        }
        catch (TaskCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new ReplicaFailure($"timed out after {http.Timeout.TotalSeconds:0} s on {request.RequestUri}", e);
        }
    }

    /// <summary>OpenAI's error message when the body is one, else the body's start.</summary>
    static string Message(string body)
    {
        try
        {
            if (JsonNode.Parse(body)?["error"]?["message"] is JsonValue m)
                return m.ToString();
            if (JsonNode.Parse(body)?["message"] is JsonValue sglang)
                return sglang.ToString();
        }
        catch (System.Text.Json.JsonException) { }
        return body.Length > 300 ? body[..300] + "…" : body;
    }

    public void Dispose() => http.Dispose();
}
