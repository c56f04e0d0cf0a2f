namespace Ponder.Serving;

/// <summary>Limits of the inference engine. Immutable; <see cref="Validate"/> says what to change.</summary>
public sealed record EngineOptions
{
    /// <summary>Sequences decoded together at most. <value>The default value is 32.</value></summary>
    public int MaxConcurrency { get; init; } = 32;

    /// <summary>Sequences waiting for a slot at most; beyond it <see cref="InferenceEngine.Submit"/> refuses
    /// (HTTP 429). <value>The default value is 256.</value></summary>
    public int MaxQueue { get; init; } = 256;

    /// <summary>Prompt tokens prefilled per call and about that many per decode step, so a long prompt joins in
    /// pieces while running sequences keep getting a token every step. <value>The default value is 512.</value>
    /// </summary>
    public int PrefillChunk { get; init; } = 512;

    public EngineOptions Validate()
    {
        if (PrefillChunk < 1)
            throw new PonderException($"prefill chunk {PrefillChunk}: must be at least 1 token.");
        if (MaxConcurrency < 1)
            throw new PonderException($"--max-concurrency {MaxConcurrency}: must be at least 1.");
        if (MaxQueue < 0)
            throw new PonderException($"--max-queue {MaxQueue}: must be 0 or more.");
        return this;
    }
}

/// <summary>The waiting queue is full; retry later (HTTP 429 with Retry-After).</summary>
public sealed class EngineBusyException : Exception
{
    public EngineBusyException()
        : base("the server is busy: too many requests are waiting; retry later.") { }

    public EngineBusyException(string message)
        : base(message) { }

    public EngineBusyException(string message, Exception inner)
        : base(message, inner) { }
}
