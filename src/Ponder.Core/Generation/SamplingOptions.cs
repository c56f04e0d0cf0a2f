namespace Ponder.Generation;

/// <summary>How to sample completions. Immutable; <see cref="Validate"/> says what to change.</summary>
public sealed record SamplingOptions
{
    /// <summary>Softmax temperature; 0 means greedy (argmax). <value>The default value is 1.0.</value> Range [0,
    /// 100].</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability sums to at least TopP.
    /// <value>The default value is 1.0 (off).</value> Range (0, 1].</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the K most likely tokens. <value>The default value is 0 (off).</value></summary>
    public int TopK { get; init; }

    /// <summary>Drop tokens whose probability is below MinP times the best token's (vLLM's <c>min_p</c>).
    /// <value>The default value is 0 (off).</value> Range [0, 1].</summary>
    public double MinP { get; init; }

    /// <summary>Tokens to generate at most per completion. <value>The default value is 256.</value></summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Completions per prompt. <value>The default value is 1.</value></summary>
    public int N { get; init; } = 1;

    /// <summary>Seed for reproducible sampling; each completion draws from its own stream derived from
    /// (seed, prompt index, sample index), so its tokens do not depend on its batch-mates.
    /// <value>The default value is null (a fresh random seed).</value></summary>
    public long? Seed { get; init; }

    /// <summary>Strings that end a completion; the text is cut before the first one (as OpenAI does).
    /// <value>The default value is empty.</value></summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Rows decoded together at most (prompts × N are processed in chunks of this size).
    /// <value>The default value is 64.</value></summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>Thinking budget: reasoning tokens at most before the sampler closes the reasoning itself (appending
    /// <c>&lt;/think&gt;</c> and the answer prefix) and lets the model answer. 0 answers directly; null is no limit.
    /// Applies to prompts that open the reasoning (the chat template's generation prompt).
    /// <value>The default value is null.</value></summary>
    public int? MaxThinkingTokens { get; init; }

    /// <summary>Budget forcing (s1): times the model's own end of thinking is suppressed and <see cref="ExtendWith"/>
    /// appended instead, so it keeps thinking. <value>The default value is 0.</value></summary>
    public int ExtendThinking { get; init; }

    /// <summary>What replaces a suppressed end of thinking. <value>The default value is "Wait".</value></summary>
    public string ExtendWith { get; init; } = "Wait";

    /// <summary>Record each token's confidence (<see cref="Completion.TokenConfidence"/>) over this many of the model's
    /// most likely tokens (DeepConf's top-k), 1 to <see cref="ModelLogprobs.MaxTop"/>. <value>The default value is
    /// null (not recorded).</value></summary>
    public int? ConfidenceTopK { get; init; }

    public SamplingOptions Validate()
    {
        if (double.IsNaN(Temperature) || Temperature < 0 || Temperature > 100)
            throw new PonderException($"temperature {Temperature} is out of range: use 0 (greedy) up to 100.");
        if (double.IsNaN(TopP) || TopP <= 0 || TopP > 1)
            throw new PonderException($"top-p {TopP} is out of range: use a value in (0, 1]; 1 turns it off.");
        if (TopK < 0)
            throw new PonderException($"top-k {TopK} must be 0 (off) or positive.");
        if (double.IsNaN(MinP) || MinP < 0 || MinP > 1)
            throw new PonderException($"min-p {MinP} is out of range: use a value in [0, 1]; 0 turns it off.");
        if (MaxNewTokens < 1)
            throw new PonderException($"max-tokens {MaxNewTokens} must be at least 1.");
        if (N < 1)
            throw new PonderException($"n {N} must be at least 1.");
        if (MaxBatchSize < 1)
            throw new PonderException($"max batch size {MaxBatchSize} must be at least 1.");
        if (ConfidenceTopK is int k && (k < 1 || k > ModelLogprobs.MaxTop))
            throw new PonderException($"confidence top-k {k}: use 1 to {ModelLogprobs.MaxTop}.");
        if (Stop.Any(string.IsNullOrEmpty))
            throw new PonderException("stop strings must not be empty.");
        if (MaxThinkingTokens < 0)
        {
            throw new PonderException(
                $"max-thinking-tokens {MaxThinkingTokens} must be 0 (answer directly) or positive."
            );
        }

        if (ExtendThinking < 0)
            throw new PonderException($"extend-thinking {ExtendThinking} must be 0 or positive.");
        if (ExtendThinking > 0 && string.IsNullOrEmpty(ExtendWith))
            throw new PonderException("extend-with must not be empty when extend-thinking is set.");
        return this;
    }
}
