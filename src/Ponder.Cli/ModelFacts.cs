using Ponder.Checkpoints;

namespace Ponder.Cli;

/// <summary>What options are checked against before a model is loaded: its context length and generation defaults,
/// read from <c>config.json</c> and <c>generation_config.json</c> alone (no weights).</summary>
/// <param name="Context">The model's context length in tokens (<c>max_position_embeddings</c>).</param>
sealed record ModelFacts(int Context, GenerationConfig Generation)
{
    public static ModelFacts Read(string modelDir) =>
        new(
            ModelDirectory.LoadConfig(modelDir).MaxPositionEmbeddings,
            ModelDirectory.LoadGenerationConfig(modelDir) ?? new GenerationConfig()
        );

    /// <summary>Refuses completions of <paramref name="tokens"/> tokens that leave no room in the context for a
    /// prompt.</summary>
    public void CheckCompletion(string option, int tokens)
    {
        if (tokens > Context)
        {
            throw new PonderException(
                $"{option} {tokens} exceeds the model's context of {Context} tokens; use less than {Context} (the "
                    + "prompt needs room too)."
            );
        }

        if (tokens == Context)
        {
            throw new PonderException(
                $"{option} {tokens} leaves no room for a prompt in the model's context of {Context} tokens; use "
                    + $"less than {Context}."
            );
        }
    }

    /// <summary>Refuses sequences of <paramref name="tokens"/> tokens that the model cannot hold at once.</summary>
    public void CheckSequence(string option, int tokens)
    {
        if (tokens > Context)
            throw new PonderException($"{option} {tokens}: longer than the model's context of {Context} tokens.");
    }
}
