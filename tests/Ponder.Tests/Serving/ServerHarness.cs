using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Ponder.Checkpoints;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Server;
using Ponder.Serving;
using Ponder.Text;

namespace Ponder.Tests.Serving;

/// <summary>
/// A tiny chat model saved to a temp directory with thinking budgets low 8, medium 16, high 32, loaded twice: one copy
/// serves, the other computes reference completions with the static-batch generator (never share a model across
/// threads).
/// </summary>
public sealed class ServedModel : IDisposable
{
    public ServedModel()
    {
        Dir = Path.Combine(Path.GetTempPath(), "ponder-serve-" + Guid.NewGuid().ToString("N"));
        using (var fresh = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5))
            fresh.Save(Dir);
        string genPath = Path.Combine(Dir, GenerationConfig.FileName);
        var gen = JsonNode.Parse(File.ReadAllText(genPath))!.AsObject();
        gen[ReasoningEffort.ConfigKey] = new JsonObject
        {
            ["low"] = 8,
            ["medium"] = 16,
            ["high"] = 32,
        };
        File.WriteAllText(genPath, gen.ToJsonString());
        Serving = LanguageModel.Load(Dir);
        Reference = LanguageModel.Load(Dir);
    }

    public string Dir { get; }
    public LanguageModel Serving { get; }
    public LanguageModel Reference { get; }

    /// <summary>What the static-batch generator gives for one user message: (reasoning, answer, completion).</summary>
    public (string Reasoning, string Answer, Completion Completion) Expected(string user, SamplingOptions options)
    {
        var prompt = Reference.Chat!.Render([new ChatMessage(ChatRole.User, user)]).Ids;
        var c = Reference.CreateGenerator().Generate([prompt], options)[0];
        var (reasoning, answer, _) = ChatTemplate.SplitReasoning(c.Text);
        return (reasoning, answer, c);
    }

    public void Dispose()
    {
        Serving.Dispose();
        Reference.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}

/// <summary>One engine + Kestrel on 127.0.0.1 with a random port.</summary>
public sealed class ServerHarness : IAsyncDisposable
{
    ServerHarness(InferenceEngine engine, PonderServer server, ListLoggerProvider logs)
    {
        (Engine, Server, Logs) = (engine, server, logs);
        Http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public InferenceEngine Engine { get; }
    public PonderServer Server { get; }
    public HttpClient Http { get; }
    public ListLoggerProvider Logs { get; }
    public Uri V1 => new(Server.Address, "v1");

    public static async Task<ServerHarness> StartAsync(
        LanguageModel lm,
        ServerOptions? options = null,
        EngineOptions? engineOptions = null
    )
    {
        var engine = new InferenceEngine(lm, engineOptions);
        var logs = new ListLoggerProvider();
        var server = PonderServer.Create(
            engine,
            options ?? new ServerOptions { ModelId = "tiny" },
            "127.0.0.1",
            0,
            b => b.AddProvider(logs)
        );
        await server.StartAsync();
        return new ServerHarness(engine, server, logs);
    }

    public async Task<(int Status, string Body, HttpResponseMessage Response)> PostAsync(
        string path,
        string json,
        string? key = null
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Engine.Dispose();
    }
}

/// <summary>Captures log lines (the CoT monitor's flags).</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    readonly List<string> lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
                return [.. lines];
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    sealed class Logger(ListLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        )
        {
            lock (owner.lines)
                owner.lines.Add(formatter(state, exception));
        }
    }
}
