using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Ponder.Server.Benchmarks;

/// <summary>One load phase: what the clients saw.</summary>
/// <param name="ServerErrors">Responses with status ≥ 500 or a broken connection.</param>
/// <param name="Refused">4xx responses (429 when the queue is full).</param>
/// <param name="MemoryMiB">Process working set sampled every second (in-process server: includes libtorch).</param>
public sealed record LoadResult(
    int Clients,
    int Requests,
    int Ok,
    int ServerErrors,
    int Refused,
    double Seconds,
    long CompletionTokens,
    double P50Ms,
    double P99Ms,
    IReadOnlyList<double> MemoryMiB
)
{
    public double TokensPerSecond => CompletionTokens / Seconds;
    public double RequestsPerSecond => Ok / Seconds;
}

/// <summary>
/// A closed-loop load generator for <c>ponder bench serve</c>: <c>clients</c> concurrent clients each send
/// non-streaming chat completions back to back until <c>requests</c> have been sent. Each request has its own seed
/// (temperature 1, reasoning effort low) so sequences differ in length as real traffic does.
/// </summary>
public static class ServeLoad
{
    public static async Task<LoadResult> RunAsync(
        Uri baseAddress,
        string modelId,
        int clients,
        int requests,
        int maxTokens,
        string? apiKey = null
    )
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) };
        if (apiKey is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var latencies = new List<double>();
        int next = -1,
            ok = 0,
            serverErrors = 0,
            refused = 0;
        long tokens = 0;
        var memory = new List<double>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                lock (memory)
                    memory.Add(process.WorkingSet64 / 1048576.0);
                try
                {
                    await Task.Delay(1000, sampling.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) { }
            }
        });
        var clock = Stopwatch.StartNew();
        async Task Client()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                string body =
                    $$"""{"model":"{{modelId}}","messages":[{"role":"user","content":"Question {{i}}: what is {{i % 97}} + {{i % 13}}?"}],"max_completion_tokens":{{maxTokens}},"temperature":1,"seed":{{i}},"reasoning_effort":"low"}""";
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), content)
                        .ConfigureAwait(false);
                    string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    int status = (int)response.StatusCode;
                    if (status >= 500)
                    {
                        Interlocked.Increment(ref serverErrors);
                        continue;
                    }
                    if (status != 200)
                    {
                        Interlocked.Increment(ref refused);
                        continue;
                    }
                    int n = (int)JsonNode.Parse(text)!["usage"]!["completion_tokens"]!;
                    Interlocked.Add(ref tokens, n);
                    Interlocked.Increment(ref ok);
                    lock (latencies)
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref serverErrors);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client))).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        latencies.Sort();
        return new LoadResult(
            clients,
            requests,
            ok,
            serverErrors,
            refused,
            seconds,
            tokens,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            [.. memory]
        );
    }

    static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
