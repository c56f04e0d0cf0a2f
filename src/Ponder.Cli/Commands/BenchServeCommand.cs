using System.CommandLine;
using System.Globalization;
using Ponder.LanguageModels;
using Ponder.Server;
using Ponder.Server.Benchmarks;
using Ponder.Serving;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench serve</c>: load on an in-process server — one client at a time, then N
/// concurrent.</summary>
static class BenchServeCommand
{
    public static Command Create(CliOutput io)
    {
        var model = CommonOptions.Model();
        var clients = new Option<int>("--clients")
        {
            Description = "Concurrent clients.",
            DefaultValueFactory = _ => 32,
        };
        var requests = new Option<int>("--requests")
        {
            Description = "Requests in the concurrent phase.",
            DefaultValueFactory = _ => 500,
        };
        var baseline = new Option<int>("--baseline-requests")
        {
            Description = "Requests sent one at a time first (0 skips).",
            DefaultValueFactory = _ => 32,
        };
        var maxTokens = new Option<int>("--max-tokens")
        {
            Description = "max_completion_tokens per request.",
            DefaultValueFactory = _ => 64,
        };
        var concurrency = new Option<int>("--max-concurrency")
        {
            Description = "The engine's batch limit.",
            DefaultValueFactory = _ => 32,
        };
        var dtype = CommonOptions.DType();
        var device = CommonOptions.Device();
        var threads = BenchReport.ThreadsOption();
        var command = new Command(
            "serve",
            "Serving load: p50/p99 latency, tokens/s, errors and memory at N concurrent clients vs one at a time."
        )
        {
            model,
            clients,
            requests,
            baseline,
            maxTokens,
            concurrency,
            dtype,
            device,
            threads,
        };
        command.SetAction(r =>
        {
            BenchReport.RequirePositive(r.GetValue(clients), "--clients");
            BenchReport.RequirePositive(r.GetValue(requests), "--requests");
            BenchReport.ApplyThreads(r.GetValue(threads));
            using var lm = LanguageModel.Load(
                r.GetValue(model)!,
                CommonOptions.ToDevice(r.GetValue(device)!, r.GetValue(dtype)!)
            );
            using var engine = new InferenceEngine(
                lm,
                new EngineOptions
                {
                    MaxConcurrency = r.GetValue(concurrency),
                    MaxQueue = Math.Max(256, r.GetValue(clients)),
                }
            );
            var server = PonderServer.Create(engine, new ServerOptions { ModelId = "bench" }, "127.0.0.1", 0);
            try
            {
                server.StartAsync().GetAwaiter().GetResult();
                io.Error.WriteLine($"load average at start: {LoadAverage()}");
                if (r.GetValue(baseline) > 0)
                {
                    Print(
                        io,
                        "one at a time",
                        ServeLoad
                            .RunAsync(server.Address, "bench", 1, r.GetValue(baseline), r.GetValue(maxTokens))
                            .GetAwaiter()
                            .GetResult()
                    );
                }

                var load = ServeLoad
                    .RunAsync(server.Address, "bench", r.GetValue(clients), r.GetValue(requests), r.GetValue(maxTokens))
                    .GetAwaiter()
                    .GetResult();
                Print(io, $"{r.GetValue(clients)} concurrent", load);
                io.Error.WriteLine($"load average at end: {LoadAverage()}");
                return load.ServerErrors == 0 ? 0 : 1;
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        });
        return command;
    }

    static void Print(CliOutput io, string label, LoadResult l)
    {
        var c = CultureInfo.InvariantCulture;
        // Working set at 0, 25, 50, 75 and 100 % of the phase: flat means the later quarters stop growing.
        string mem =
            l.MemoryMiB.Count == 0
                ? "n/a"
                : string.Join(
                    " → ",
                    new[] { 0, 0.25, 0.5, 0.75, 1 }.Select(q =>
                        l.MemoryMiB[(int)Math.Round(q * (l.MemoryMiB.Count - 1))].ToString("F0", c)
                    )
                ) + " MiB";
        io.Out.WriteLine(
            string.Create(
                c,
                $"{label}: {l.Ok}/{l.Requests} ok, {l.ServerErrors} server errors, {l.Refused} refused, "
                    + $"{l.Seconds:F1} s, "
                    + $"p50 {l.P50Ms:F0} ms, p99 {l.P99Ms:F0} ms, {l.TokensPerSecond:F1} completion tokens/s, "
                    + $"{l.RequestsPerSecond:F2} req/s, memory {mem}"
            )
        );
    }

    static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
