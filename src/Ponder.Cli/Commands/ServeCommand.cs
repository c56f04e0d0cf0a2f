using System.CommandLine;
using Ponder.LanguageModels;
using Ponder.Server;
using Ponder.Server.Monitoring;
using Ponder.Server.Summaries;
using Ponder.Serving;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder serve</c>: an OpenAI-compatible server with continuous batching that hides the chain of
/// thought.</summary>
static class ServeCommand
{
    public static Command Create(CliOutput io)
    {
        var model = CommonOptions.Model();
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var port = new Option<int>("--port") { Description = "Port to listen on.", DefaultValueFactory = _ => 8080 };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "Require 'Authorization: Bearer KEY' on /v1 (default: none).",
        };
        var reasoning = new Option<string>("--reasoning")
        {
            Description =
                "hidden (never return reasoning), summary (summaries on /v1/responses) or raw "
                + "(reasoning_content, for developers).",
            DefaultValueFactory = _ => "hidden",
        };
        var concurrency = new Option<int>("--max-concurrency")
        {
            Description = "Sequences decoded together at most.",
            DefaultValueFactory = _ => 32,
        };
        var queue = new Option<int>("--max-queue")
        {
            Description = "Sequences waiting at most; beyond it 429.",
            DefaultValueFactory = _ => 256,
        };
        var maxTokens = new Option<int>("--max-completion-tokens")
        {
            Description = "Completion tokens a request may ask for at most.",
            DefaultValueFactory = _ => 4096,
        };
        var monitor = new Option<string?>("--monitor")
        {
            Description =
                "CoT monitor rules file: {\"rules\": [{\"pattern\": \"regex\", \"action\": \"flag|block\"}]}.",
        };
        var summarizer = new Option<string>("--summarizer")
        {
            Description = "facts (a factual line) or model (the model summarises; for instruction models).",
            DefaultValueFactory = _ => "facts",
        };
        var name = new Option<string?>("--model-id")
        {
            Description = "Model id clients use (default: the directory name).",
        };
        var device = CommonOptions.Device();
        var dtype = CommonOptions.DType();
        var command = new Command("serve", "Serve a model over an OpenAI-compatible HTTP API.")
        {
            model,
            host,
            port,
            apiKey,
            reasoning,
            concurrency,
            queue,
            maxTokens,
            monitor,
            summarizer,
            name,
            device,
            dtype,
        };
        command.SetAction(r =>
        {
            var mode = r.GetValue(reasoning) switch
            {
                "hidden" => ReasoningMode.Hidden,
                "summary" => ReasoningMode.Summary,
                "raw" => ReasoningMode.Raw,
                var other => throw new PonderException($"--reasoning {other}: use hidden, summary or raw."),
            };
            var monitorPath = r.GetValue(monitor);
            var cotMonitor = monitorPath is null ? null : RuleCotMonitor.Load(monitorPath);
            string dir = r.GetValue(model)!;
            using var lm = LanguageModel.Load(dir, CommonOptions.ToDevice(r.GetValue(device)!, r.GetValue(dtype)!));
            using var engine = new InferenceEngine(
                lm,
                new EngineOptions { MaxConcurrency = r.GetValue(concurrency), MaxQueue = r.GetValue(queue) }
            );
            var options = new ServerOptions
            {
                ModelId =
                    r.GetValue(name) ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir))),
                ApiKey = r.GetValue(apiKey),
                Reasoning = mode,
                MaxCompletionTokens = r.GetValue(maxTokens),
                Monitor = cotMonitor,
                Summarizer = r.GetValue(summarizer) switch
                {
                    "facts" => new FactualSummarizer(),
                    "model" => new ModelSummarizer(engine),
                    var other => throw new PonderException($"--summarizer {other}: use facts or model."),
                },
            };
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            var server = PonderServer.Create(engine, options, r.GetValue(host)!, r.GetValue(port));
            io.Error.WriteLine(
                $"serving {options.ModelId} on http://{r.GetValue(host)}:{r.GetValue(port)} (reasoning "
                    + $"{r.GetValue(reasoning)}); Ctrl+C stops"
            );
            server.RunAsync(stop.Token).GetAwaiter().GetResult();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }
}
