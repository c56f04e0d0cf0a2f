namespace Ponder.Rollouts;

/// <summary>How a multi-turn rollout runs: the model's turns, with the environment's observations (tool results) in
/// between. The token budget is the sampling options' <c>MaxNewTokens</c>, spent over all turns: the environment's
/// tokens do not count.</summary>
public sealed record MultiTurnOptions
{
    /// <summary>Model turns at most; at the last the episode ends whatever the model answers (a call then is not run).
    /// <value>The default value is 4.</value></summary>
    public int MaxTurns { get; init; } = 4;

    /// <summary>Whether the tools' definitions are rendered into the prompt (the chat template's tools section, as
    /// vLLM and transformers render them). Off for models trained here whose task prompt already names the tool:
    /// the definitions cost hundreds of tokens of a small model's context. <value>The default value is true.</value>
    /// </summary>
    public bool DescribeTools { get; init; } = true;

    /// <summary>Throws when a setting is out of range, naming the option to change.</summary>
    public MultiTurnOptions Validate()
    {
        if (MaxTurns is < 1 or > 64)
            throw new PonderException($"--max-turns {MaxTurns}: use 1 to 64 model turns.");
        return this;
    }
}
