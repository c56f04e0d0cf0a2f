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
        var tally = new Tally(requests);
        var memory = new List<double>();
        using var sampling = new CancellationTokenSource();
        var sampler = SampleMemory(memory, sampling.Token);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(
                Enumerable.Range(0, clients).Select(_ => Task.Run(() => Client(http, modelId, maxTokens, tally)))
            )
            .ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        return tally.Result(clients, seconds, [.. memory]);
    }

    /// <summary>The process working set, once a second until <paramref name="ct"/> is cancelled.</summary>
    static Task SampleMemory(List<double> memory, CancellationToken ct) =>
        Task.Run(
            async () =>
            {
                using var process = Process.GetCurrentProcess();
                while (!ct.IsCancellationRequested)
                {
                    process.Refresh();
                    lock (memory)
                        memory.Add(process.WorkingSet64 / 1048576.0);
                    try
                    {
                        await Task.Delay(1000, ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) { }
                }
            },
            // Not ct: the loop ends itself when ct is cancelled, and the caller's await must not throw.
            CancellationToken.None
        );

    /// <summary>One client: takes the next request number until all are sent, each sent when the last one is
    /// answered.</summary>
    static async Task Client(HttpClient http, string modelId, int maxTokens, Tally tally)
    {
        while (tally.Next() is int i)
        {
            string body = $$"""
                {"model": "{{modelId}}",
                 "messages": [{"role": "user", "content": "Question {{i}}: what is {{i % 97}} + {{i % 13}}?"}],
                 "max_completion_tokens": {{maxTokens}}, "temperature": 1, "seed": {{i}}, "reasoning_effort": "low"}
                """;
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), content)
                    .ConfigureAwait(false);
                string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status >= 500)
                    tally.ServerError();
                else if (status != 200)
                    tally.Refused();
                else
                    tally.Ok((int)JsonNode.Parse(text)!["usage"]!["completion_tokens"]!, started);
            }
            catch (HttpRequestException)
            {
                tally.ServerError();
            }
        }
    }

    /// <summary>What the clients share: the next request number and the counts, safe to update from every
    /// client.</summary>
    sealed class Tally(int requests)
    {
        readonly List<double> latencies = [];
        int next = -1,
            ok,
            serverErrors,
            refused;
        long tokens;

        /// <summary>The next request number, or null once <c>requests</c> have been taken.</summary>
        public int? Next()
        {
            int i = Interlocked.Increment(ref next);
            return i < requests ? i : null;
        }

        public void ServerError() => Interlocked.Increment(ref serverErrors);

        public void Refused() => Interlocked.Increment(ref refused);

        /// <param name="started">The request's <see cref="Stopwatch.GetTimestamp"/>.</param>
        public void Ok(int completionTokens, long started)
        {
            Interlocked.Add(ref tokens, completionTokens);
            Interlocked.Increment(ref ok);
            lock (latencies)
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        public LoadResult Result(int clients, double seconds, IReadOnlyList<double> memoryMiB)
        {
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
                memoryMiB
            );
        }
    }

    static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
