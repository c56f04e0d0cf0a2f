namespace Ponder.Generation;

/// <summary>
/// How one sequence is decoded: what a request (<c>ponder serve</c>) or <see cref="SamplingOptions"/> (rollouts,
/// evaluation) says for a single row of the <see cref="DecodeEngine"/>. Immutable; validated by its source.
/// </summary>
public sealed record RowSettings
{
    /// <summary>Softmax temperature; 0 is greedy. <value>The default value is 1.0.</value></summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the K most likely tokens. <value>The default value is 0 (off).</value></summary>
    public int TopK { get; init; }

    /// <summary>Nucleus mass. <value>The default value is 1.0 (off).</value></summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Drop tokens whose probability is below MinP times the best token's (vLLM's <c>min_p</c>).
    /// <value>The default value is 0 (off).</value></summary>
    public double MinP { get; init; }

    /// <summary>Tokens to generate at most, reasoning and answer together. <value>The default value is
    /// 256.</value></summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Strings that end the answer (<see cref="StopRule"/>). <value>The default value is
    /// empty.</value></summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Reasoning tokens at most before the engine closes the reasoning (null: no limit).
    /// <value>The default value is null.</value></summary>
    public int? MaxThinkingTokens { get; init; }

    /// <summary>Budget forcing: times the model's own end of thinking is replaced by <see cref="ExtendWith"/>.
    /// <value>The default value is 0.</value></summary>
    public int ExtendThinking { get; init; }

    /// <summary>What replaces a suppressed end of thinking. <value>The default value is "Wait".</value></summary>
    public string ExtendWith { get; init; } = "Wait";

    /// <summary>Whether to record each emitted token's log-probability under the model's own distribution
    /// (<see cref="DecodeRow.ModelLogprobs"/>), and how many of the most likely tokens with it: null records nothing
    /// (and costs nothing), 0 the token alone, up to <see cref="ModelLogprobs.MaxTop"/>.
    /// <value>The default value is null.</value></summary>
    public int? TopLogprobs { get; init; }

    /// <summary>Step-wise decoding (a step-level search): while the reasoning is open, the row ends as soon as its text
    /// holds a step's end (<see cref="StopRule.EndsStep"/>), with <see cref="DecodeRow.EndedStep"/> set.
    /// After the reasoning closes it runs to the end of the answer. <value>The default value is null (off).</value>
    /// </summary>
    public string? StepSeparator { get; init; }

    /// <summary>Text the answer is made to begin with: emitted for the model right after its reasoning closes (after
    /// the usual <see cref="Text.ChatTemplate.AnswerPrefix"/>), or from the first token when the row does not reason,
    /// so the model continues it — a server forcing a function call writes the call's opening here.
    /// <value>The default value is null (none).</value></summary>
    public string? AnswerPrefix { get; init; }

    /// <summary>Penalties and logit bias. <value>The default value is none.</value></summary>
    public LogitAdjustment Adjustment { get; init; } = LogitAdjustment.None;

    /// <summary>The settings <paramref name="o"/> gives every row.</summary>
    public static RowSettings From(SamplingOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new RowSettings
        {
            Temperature = o.Temperature,
            TopK = o.TopK,
            TopP = o.TopP,
            MinP = o.MinP,
            MaxNewTokens = o.MaxNewTokens,
            Stop = o.Stop,
            MaxThinkingTokens = o.MaxThinkingTokens,
            ExtendThinking = o.ExtendThinking,
            ExtendWith = o.ExtendWith,
            TopLogprobs = o.ConfidenceTopK,
        };
    }
}
