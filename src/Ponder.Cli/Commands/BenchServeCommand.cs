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
        var cli = new CliOptions();
        var command = new Command(
            "serve",
            "Serving load: p50/p99 latency, tokens/s, errors and memory at N concurrent clients vs one at a time."
        );
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        BenchReport.RequirePositive(r.GetValue(cli.Clients), "--clients");
        BenchReport.RequirePositive(r.GetValue(cli.Requests), "--requests");
        BenchReport.RequirePositive(r.GetValue(cli.MaxTokens), "--max-tokens");
        if (r.GetValue(cli.Baseline) < 0)
            throw new PonderException($"--baseline-requests {r.GetValue(cli.Baseline)} must be 0 (skip) or more.");
        var engineOptions = new EngineOptions
        {
            MaxConcurrency = r.GetValue(cli.Concurrency),
            MaxQueue = Math.Max(256, r.GetValue(cli.Clients)),
        }.Validate();
        var device = CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!);
        BenchReport.ApplyThreads(r.GetValue(cli.Threads));
        using var lm = LanguageModel.Load(r.GetValue(cli.Model)!, device);
        using var engine = new InferenceEngine(lm, engineOptions);
        var server = PonderServer.Create(engine, new ServerOptions { ModelId = "bench" }, "127.0.0.1", 0);
        try
        {
            server.StartAsync().GetAwaiter().GetResult();
            return Measure(io, cli, r, server.Address);
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The two phases against a running server; exit code 1 when the concurrent one had server
    /// errors.</summary>
    static int Measure(CliOutput io, CliOptions cli, ParseResult r, Uri address)
    {
        int clients = r.GetValue(cli.Clients),
            maxTokens = r.GetValue(cli.MaxTokens);
        io.Error.WriteLine($"load average at start: {LoadAverage()}");
        if (r.GetValue(cli.Baseline) > 0)
            Print(io, "one at a time", Load(address, 1, r.GetValue(cli.Baseline), maxTokens));
        var load = Load(address, clients, r.GetValue(cli.Requests), maxTokens);
        Print(io, $"{clients} concurrent", load);
        io.Error.WriteLine($"load average at end: {LoadAverage()}");
        return load.ServerErrors == 0 ? 0 : 1;
    }

    static LoadResult Load(Uri address, int clients, int requests, int maxTokens) =>
        ServeLoad.RunAsync(address, "bench", clients, requests, maxTokens).GetAwaiter().GetResult();

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

    sealed class CliOptions
    {
        public Option<string> Model { get; } = CommonOptions.Model();
        public Option<int> Clients { get; } =
            new("--clients") { Description = "Concurrent clients.", DefaultValueFactory = _ => 32 };
        public Option<int> Requests { get; } =
            new("--requests") { Description = "Requests in the concurrent phase.", DefaultValueFactory = _ => 500 };
        public Option<int> Baseline { get; } =
            new("--baseline-requests")
            {
                Description = "Requests sent one at a time first (0 skips).",
                DefaultValueFactory = _ => 32,
            };
        public Option<int> MaxTokens { get; } =
            new("--max-tokens") { Description = "max_completion_tokens per request.", DefaultValueFactory = _ => 64 };
        public Option<int> Concurrency { get; } =
            new("--max-concurrency") { Description = "The engine's batch limit.", DefaultValueFactory = _ => 32 };
        public Option<string> DType { get; } = CommonOptions.DType();
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<int> Threads { get; } = BenchReport.ThreadsOption();

        public void AddTo(Command command)
        {
            Option[] all = [Model, Clients, Requests, Baseline, MaxTokens, Concurrency, DType, Device, Threads];
            foreach (var o in all)
                command.Options.Add(o);
        }
    }
}
