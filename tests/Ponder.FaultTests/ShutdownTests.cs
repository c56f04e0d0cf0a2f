using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ponder.LanguageModels;
using Xunit.Abstractions;

namespace Ponder.FaultTests;

/// <summary>
/// SIGTERM — what <c>docker stop</c>, systemd and Kubernetes send — while streams are running: requests in flight
/// finish when they can within <c>--shutdown-grace</c>, are cut cleanly when they cannot, and the process exits 0
/// without needing SIGKILL.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Category", "Fault")]
public sealed class ShutdownTests(ITestOutputHelper output) : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "ponder-term-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException) { }
    }

    [Fact]
    public async Task Given_streams_that_can_finish_within_the_grace_Then_SIGTERM_lets_them_finish_and_exits_0()
    {
        var (model, eos) = Model();
        using var server = await Serve(model, graceSeconds: 60);
        var streams = Enumerable.Range(0, 3).Select(i => Stream(server.Url, eos, maxTokens: 60 + i)).ToArray();
        await Task.WhenAll(streams.Select(s => s.FirstChunk));

        var clock = Stopwatch.StartNew();
        server.Terminate();
        var ends = await Task.WhenAll(streams.Select(s => s.End));
        int code = server.Process.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, server.Process.Err);
        Assert.All(ends, e => Assert.Equal(StreamEnd.Done, e));
        // It leaves as soon as the last stream is done, not at the end of the grace.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"exited {clock.Elapsed} after SIGTERM");
        output.WriteLine($"fault-suite sigterm: 3 streams finished, exit 0 after {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Given_streams_longer_than_the_grace_Then_SIGTERM_cuts_them_cleanly_and_exits_0_in_time()
    {
        var (model, eos) = Model();
        using var server = await Serve(model, graceSeconds: 1);
        var streams = Enumerable.Range(0, 2).Select(_ => Stream(server.Url, eos, maxTokens: 1900)).ToArray();
        await Task.WhenAll(streams.Select(s => s.FirstChunk));

        var clock = Stopwatch.StartNew();
        server.Terminate();
        var ends = await Task.WhenAll(streams.Select(s => s.End));
        int code = server.Process.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, server.Process.Err);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1 + 10), $"exited {clock.Elapsed} after SIGTERM");
        Assert.DoesNotContain("Exception", server.Process.Err, StringComparison.Ordinal);
        output.WriteLine(
            $"fault-suite sigterm: 2 long streams ended {string.Join("/", ends)}, exit 0 after "
                + $"{clock.Elapsed.TotalSeconds:F1} s (grace 1 s)"
        );
    }

    /// <summary>A model big enough that 1900 tokens take longer than a second, and its end-of-sequence ids (the
    /// requests ban them so that every stream runs to its length).</summary>
    (string Dir, IReadOnlyList<int> Eos) Model()
    {
        string dir = Path.Combine(root, "model");
        using var lm = LanguageModel.CreateFromScratch("small", "qwen2", seed: 5);
        lm.Save(dir);
        return (dir, lm.StopTokenIds);
    }

    static async Task<Server> Serve(string model, int graceSeconds)
    {
        int port = FreePort();
        var process = PonderProcess.Start(
            "serve",
            "--model",
            model,
            "--port",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--shutdown-grace",
            graceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        var server = new Server(process, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            Assert.False(process.HasExited, process.Err);
            try
            {
                if ((await http.GetAsync("health")).IsSuccessStatusCode)
                    return server;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        server.Dispose();
        throw new TimeoutException($"ponder serve did not answer /health: {process.Err}");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    enum StreamEnd
    {
        Done,
        Cut,
    }

    sealed record RunningStream(Task FirstChunk, Task<StreamEnd> End);

    static RunningStream Stream(Uri url, IReadOnlyList<int> eos, int maxTokens)
    {
        var first = new TaskCompletionSource();
        string bias = string.Join(",", eos.Select(id => $"\"{id}\":-100"));
        string body =
            "{\"model\":\"model\",\"stream\":true,\"temperature\":0,\"max_completion_tokens\":"
            + maxTokens
            + ",\"logit_bias\":{"
            + bias
            + "},\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}";
        return new RunningStream(first.Task, Read(url, body, first));
    }

    /// <summary>Reads the stream to its end: <c>data: [DONE]</c>, or the connection closed under it.</summary>
    static async Task<StreamEnd> Read(Uri url, string body, TaskCompletionSource first)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(120) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                    first.TrySetResult();
                if (line == "data: [DONE]")
                    return StreamEnd.Done;
            }
            return StreamEnd.Cut;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return StreamEnd.Cut;
        }
        finally
        {
            first.TrySetResult(); // a stream cut before its first chunk must not hang the test
        }
    }

    sealed class Server(PonderProcess process, Uri url) : IDisposable
    {
        public PonderProcess Process { get; } = process;
        public Uri Url { get; } = url;

        /// <summary>SIGTERM, as <c>kill PID</c> sends it.</summary>
        public void Terminate()
        {
            using var kill = System.Diagnostics.Process.Start(
                "kill",
                ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            )!;
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }

        public void Dispose() => Process.Dispose();
    }
}
