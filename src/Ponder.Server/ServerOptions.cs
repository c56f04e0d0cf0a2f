using Ponder.Rollouts.Monitoring;
using Ponder.Server.Summaries;

namespace Ponder.Server;

/// <summary>What clients may see of the chain of thought.</summary>
public enum ReasoningMode
{
    /// <summary>Never returned in any field (OpenAI's policy); only token counts.</summary>
    Hidden,

    /// <summary>Hidden, but <c>/v1/responses</c> returns a summary when the request asks for one.</summary>
    Summary,

    /// <summary>For developers: <c>reasoning_content</c> in messages and deltas (as vLLM and DeepSeek), and
    /// summaries.</summary>
    Raw,
}

/// <summary>How <c>ponder serve</c> behaves. Immutable.</summary>
public sealed record ServerOptions
{
    /// <summary>The model id clients name in requests and <c>/v1/models</c> lists. <value>The default value is
    /// "ponder".</value></summary>
    public string ModelId { get; init; } = "ponder";

    /// <summary>Bearer key clients must send; null accepts every request. <value>The default value is
    /// null.</value></summary>
    public string? ApiKey { get; init; }

    /// <summary><value>The default value is <see cref="ReasoningMode.Hidden"/>.</value></summary>
    public ReasoningMode Reasoning { get; init; } = ReasoningMode.Hidden;

    /// <summary>Request bodies larger than this are refused (413). <value>The default value is 1 MiB.</value></summary>
    public int MaxRequestBytes { get; init; } = 1 << 20;

    /// <summary>Completion tokens a request may ask for at most (reasoning included); also the default when a request
    /// names none (bounded by the context). <value>The default value is 4096.</value></summary>
    public int MaxCompletionTokens { get; init; } = 4096;

    /// <summary>Choices per request at most. <value>The default value is 8.</value></summary>
    public int MaxChoices { get; init; } = 8;

    /// <summary>The test-time strategy per <c>reasoning_effort</c> (low, medium, high) for requests that name none.
    /// <value>The default value is empty.</value></summary>
    public IReadOnlyDictionary<string, ServedStrategy> EffortStrategies { get; init; } =
        new Dictionary<string, ServedStrategy>();

    /// <summary>Scores completions of one prompt (their token ids) for best-of-n and weighted; null: those
    /// strategies are refused. Called from several request threads at once: it must serialise its own model use.
    /// <value>The default value is
    /// null.</value></summary>
    public Func<IReadOnlyList<int>, IReadOnlyList<IReadOnlyList<int>>, double[]>? Scorer { get; init; }

    /// <summary>Reads every finished reasoning; null allows all. <value>The default value is null.</value></summary>
    public ICotMonitor? Monitor { get; init; }

    /// <summary>Writes reasoning summaries. <value>The default value is a
    /// <see cref="FactualSummarizer"/>.</value></summary>
    public IReasoningSummarizer Summarizer { get; init; } = new FactualSummarizer();

    /// <summary>What a blocked request gets instead of its answer. <value>The default value is a short
    /// refusal.</value></summary>
    public string Refusal { get; init; } = "I can't help with that.";

    /// <summary>Seconds clients are told to wait on 429. <value>The default value is 1.</value></summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>On SIGTERM or Ctrl+C the server stops taking connections and gives requests in flight this long to
    /// finish; those still running are then cut (their generation stops) and the process exits 0. Keep it below the
    /// orchestrator's own grace before SIGKILL (<c>docker stop</c> waits 10 s, Kubernetes 30 s by default).
    /// <value>The default value is 5 seconds.</value> Zero cuts every request at once.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(5);
}
