using System.CommandLine;
using Microsoft.Extensions.Logging;
using Ponder.LanguageModels;
using Ponder.Rollouts.Monitoring;
using Ponder.Runtime;
using Ponder.Server;
using Ponder.Server.Summaries;
using Ponder.Serving;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder serve</c>: an OpenAI-compatible server with continuous batching that hides the chain of
/// thought.</summary>
static class ServeCommand
{
    public static Command Create(CliOutput io)
    {
        var cli = new CliOptions();
        var command = new Command("serve", "Serve a model over an OpenAI-compatible HTTP API.");
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    /// <summary>What <c>ponder serve</c> runs, every option checked before the model is loaded.</summary>
    sealed record Plan(
        ReasoningMode Mode,
        string Summarizer,
        EngineOptions Engine,
        int MaxCompletionTokens,
        string Host,
        int Port,
        DeviceOptions Device,
        ICotMonitor? Monitor,
        TimeSpan ShutdownGrace,
        IReadOnlyDictionary<string, ServedStrategy> Strategies
    );

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        var plan = Check(cli, r);
        string dir = r.GetValue(cli.Model)!;
        using var lm = LanguageModel.Load(dir, plan.Device, r.GetValue(cli.Base));
        using var engine = new InferenceEngine(lm, plan.Engine);
        using var scorer = r.GetValue(cli.Scorer) is { } scorerDir
            ? ServedScorer.Load(scorerDir, lm, plan.Device)
            : null;
        if (scorer is null && plan.Strategies.Values.FirstOrDefault(v => v.NeedsScores) is { } needs)
            throw new PonderException($"--effort-strategy {needs} needs a scorer: add --scorer DIR, or use majority.");
        var options = new ServerOptions
        {
            EffortStrategies = plan.Strategies,
            Scorer = scorer is null ? null : scorer.Score,
            ModelId =
                r.GetValue(cli.Name) ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir))),
            ApiKey = r.GetValue(cli.ApiKey),
            Reasoning = plan.Mode,
            MaxCompletionTokens = plan.MaxCompletionTokens,
            Monitor = plan.Monitor,
            Summarizer = plan.Summarizer == "model" ? new ModelSummarizer(engine) : new FactualSummarizer(),
            ShutdownGrace = plan.ShutdownGrace,
            MaxChoices = r.GetValue(cli.Choices) is > 0 and var n
                ? n
                : throw new PonderException($"--max-choices {r.GetValue(cli.Choices)}: must be at least 1."),
        };
        Serve(io, engine, options, plan.Host, plan.Port, r.GetValue(cli.Reasoning)!);
        return 0;
    }

    static Plan Check(CliOptions cli, ParseResult r)
    {
        var mode = r.GetValue(cli.Reasoning) switch
        {
            "hidden" => ReasoningMode.Hidden,
            "summary" => ReasoningMode.Summary,
            "raw" => ReasoningMode.Raw,
            var other => throw new PonderException($"--reasoning {other}: use hidden, summary or raw."),
        };
        string summarizer = r.GetValue(cli.Summarizer)!;
        if (summarizer is not ("facts" or "model"))
            throw new PonderException($"--summarizer {summarizer}: use facts or model.");
        var engine = new EngineOptions
        {
            MaxConcurrency = r.GetValue(cli.Concurrency),
            MaxQueue = r.GetValue(cli.Queue),
        }.Validate();
        int maxTokens = r.GetValue(cli.MaxTokens);
        if (maxTokens < 1)
            throw new PonderException($"--max-completion-tokens {maxTokens}: must be at least 1.");
        double grace = r.GetValue(cli.Grace);
        if (!(grace >= 0))
            throw new PonderException($"--shutdown-grace {grace}: use 0 or more seconds.");
        string host = r.GetValue(cli.Host)!;
        int port = r.GetValue(cli.Port);
        Listening.CheckFree(host, port);
        var device = CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!);
        var monitor = r.GetValue(cli.Monitor) is { } path ? RuleCotMonitor.Load(path) : null;
        var strategies = new Dictionary<string, ServedStrategy>(StringComparer.Ordinal);
        foreach (var (effort, text) in Tasks.TaskSpec.ParsePairs(r.GetValue(cli.EffortStrategy), "--effort-strategy"))
        {
            if (effort is not ("low" or "medium" or "high"))
                throw new PonderException($"--effort-strategy {effort}={text}: the effort is low, medium or high.");
            strategies[effort] = ServedStrategy.Parse(text, $"--effort-strategy {effort}=");
        }
        return new Plan(
            mode,
            summarizer,
            engine,
            maxTokens,
            host,
            port,
            device,
            monitor,
            TimeSpan.FromSeconds(grace),
            strategies
        );
    }

    /// <summary>Serves until Ctrl+C or SIGTERM, which stop the server (within its grace) instead of the process.
    /// "serving on" is printed once the port is bound.</summary>
    static void Serve(
        CliOutput io,
        InferenceEngine engine,
        ServerOptions options,
        string host,
        int port,
        string reasoning
    )
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        // A failed start is reported as one line below; the host's own log of it would add a stack trace.
        var server = PonderServer.Create(
            engine,
            options,
            host,
            port,
            logging => logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None)
        );
        try
        {
            Listening.Start(server, host, port);
            io.Error.WriteLine(
                $"serving {options.ModelId} on {server.Address} (reasoning {reasoning}); Ctrl+C or SIGTERM stops"
            );
            server.WaitForStopAsync(stop.Token).GetAwaiter().GetResult();
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    sealed class CliOptions
    {
        public Option<string> Model { get; } = CommonOptions.Model();
        public Option<string?> Base { get; } = CommonOptions.Base();
        public Option<string> Host { get; } =
            new("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        public Option<int> Port { get; } =
            new("--port") { Description = "Port to listen on.", DefaultValueFactory = _ => 8080 };
        public Option<string?> ApiKey { get; } =
            new("--api-key") { Description = "Require 'Authorization: Bearer KEY' on /v1 (default: none)." };
        public Option<string> Reasoning { get; } =
            new("--reasoning")
            {
                Description =
                    "hidden (never return reasoning), summary (summaries on /v1/responses) or raw "
                    + "(reasoning_content, for developers).",
                DefaultValueFactory = _ => "hidden",
            };
        public Option<int> Concurrency { get; } =
            new("--max-concurrency")
            {
                Description = "Sequences decoded together at most.",
                DefaultValueFactory = _ => 32,
            };
        public Option<int> Choices { get; } =
            new("--max-choices")
            {
                Description = "Choices (n) per request at most; an RL trainer asks for its group size.",
                DefaultValueFactory = _ => new ServerOptions().MaxChoices,
            };
        public Option<int> Queue { get; } =
            new("--max-queue")
            {
                Description = "Sequences waiting at most; beyond it 429.",
                DefaultValueFactory = _ => 256,
            };
        public Option<int> MaxTokens { get; } =
            new("--max-completion-tokens")
            {
                Description = "Completion tokens a request may ask for at most.",
                DefaultValueFactory = _ => 4096,
            };
        public Option<string?> Monitor { get; } =
            new("--monitor")
            {
                Description =
                    "CoT monitor rules file: {\"rules\": [{\"pattern\": \"regex\", \"action\": \"flag|block\"}]}.",
            };
        public Option<string> Summarizer { get; } =
            new("--summarizer")
            {
                Description = "facts (a factual line) or model (the model summarises; for instruction models).",
                DefaultValueFactory = _ => "facts",
            };
        public Option<double> Grace { get; } =
            new("--shutdown-grace")
            {
                Description =
                    "Seconds requests in flight may run on after SIGTERM or Ctrl+C before they are cut (keep it below "
                    + "the orchestrator's grace: docker stop waits 10 s).",
                DefaultValueFactory = _ => 5,
            };
        public Option<string?> Name { get; } =
            new("--model-id") { Description = "Model id clients use (default: the directory name)." };
        public Option<string[]> EffortStrategy { get; } =
            new("--effort-strategy")
            {
                Description =
                    "A test-time strategy for a reasoning_effort, EFFORT=NAME:N (repeatable), e.g. high=majority:8: "
                    + "requests at that effort draw N samples and answer with the majority (or best-of-n, weighted "
                    + "with --scorer). A request's own test_time_strategy field wins.",
            };
        public Option<string?> Scorer { get; } =
            new("--scorer")
            {
                Description = "A scorer directory (outcome or process) for the best-of-n and weighted strategies.",
            };
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<string> DType { get; } = CommonOptions.DType();

        public void AddTo(Command command)
        {
            Option[] all =
            [
                Model,
                Base,
                Host,
                Port,
                ApiKey,
                Reasoning,
                Concurrency,
                Choices,
                Queue,
                MaxTokens,
                Monitor,
                EffortStrategy,
                Scorer,
                Summarizer,
                Grace,
                Name,
                Device,
                DType,
            ];
            foreach (var o in all)
                command.Options.Add(o);
        }
    }
}
