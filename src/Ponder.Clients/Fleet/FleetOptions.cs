namespace Ponder.Clients.Fleet;

/// <summary>How the trainer pushes weights to its rollout replicas.</summary>
public enum SyncMode
{
    /// <summary>The LoRA adapter, in PEFT's format: vLLM's <c>/v1/load_lora_adapter</c> under a new name per version
    /// (the old one unloaded); requests then name it. Light: only the adapter travels.</summary>
    Adapter,

    /// <summary>The whole model folder: SGLang's <c>/update_weights_from_disk</c>. The replicas must read the
    /// trainer's disk (one machine, or a shared file system).</summary>
    Disk,
}

/// <summary>The rollout fleet of an RL run: OpenAI-compatible servers (vLLM, SGLang, <c>ponder serve</c>) that serve
/// <c>/v1/completions</c> with token ids and log-probs. Immutable; <see cref="Validate"/> says what to
/// change.</summary>
public sealed record FleetOptions
{
    /// <summary>Each replica's base URL (<c>http://host:port</c>, with or without <c>/v1</c>).</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>Sent as a bearer token to every replica (its API key). <value>The default value is null.</value>
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary><value>The default value is <see cref="SyncMode.Disk"/> (<see cref="SyncMode.Adapter"/> when the
    /// policy trains a LoRA adapter).</value></summary>
    public SyncMode? Sync { get; init; }

    /// <summary>Where synced weights are written for the replicas to read (this version and the previous one are kept).
    /// </summary>
    public required string SyncDirectory { get; init; }

    /// <summary>The model name requests give in disk mode; null asks the first replica's <c>/v1/models</c>.
    /// <value>The default value is null.</value></summary>
    public string? Model { get; init; }

    /// <summary>Seconds a request (one prompt's G completions) may take before its replica counts as failed.
    /// <value>The default value is 600.</value></summary>
    public double TimeoutSeconds { get; init; } = 600;

    /// <summary>Requests in flight per replica at most; the next goes to the replica with the fewest outstanding.
    /// <value>The default value is 8.</value></summary>
    public int MaxInFlight { get; init; } = 8;

    /// <summary>After a sync, a replica passes when the mean |Δ log-prob| between its greedy probe tokens' log-probs
    /// and the trainer's own is at most this (float32 replicas agree to ~1e-5; bf16 engines need more).
    /// <value>The default value is 0.02.</value></summary>
    public double SyncTolerance { get; init; } = 0.02;

    /// <summary>Tokens the greedy probe generates. <value>The default value is 8.</value></summary>
    public int ProbeTokens { get; init; } = 8;

    public FleetOptions Validate()
    {
        if (Endpoints.Count == 0)
            throw new PonderException("--rollout-endpoints: give at least one URL.");
        foreach (var e in Endpoints)
        {
            if (!e.IsAbsoluteUri || (e.Scheme != Uri.UriSchemeHttp && e.Scheme != Uri.UriSchemeHttps))
                throw new PonderException($"--rollout-endpoints: '{e}' is not an http(s) URL.");
        }

        if (Endpoints.Distinct().Count() != Endpoints.Count)
            throw new PonderException("--rollout-endpoints: a URL is given twice.");
        if (!(TimeoutSeconds > 0))
            throw new PonderException($"--rollout-timeout {TimeoutSeconds}: must be positive (seconds).");
        if (MaxInFlight < 1)
            throw new PonderException($"--rollout-in-flight {MaxInFlight}: must be at least 1.");
        if (!(SyncTolerance >= 0))
            throw new PonderException($"--sync-tolerance {SyncTolerance}: must be 0 or more.");
        if (ProbeTokens < 1)
            throw new PonderException($"probe tokens {ProbeTokens}: must be at least 1.");
        return this;
    }
}
