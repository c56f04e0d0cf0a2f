using Ponder.Checkpoints;

namespace Ponder.Cli;

/// <summary>What options are checked against before a model is loaded: its context length and generation defaults,
/// read from <c>config.json</c> and <c>generation_config.json</c> alone (no weights).</summary>
/// <param name="Context">The model's context length in tokens (<c>max_position_embeddings</c>).</param>
sealed record ModelFacts(int Context, GenerationConfig Generation)
{
    /// <param name="baseDir">The base model of an adapter folder (<c>--base</c>), when <paramref name="modelDir"/> is
    /// one; null: the adapter's own base_model_name_or_path.</param>
    public static ModelFacts Read(string modelDir, string? baseDir = null)
    {
        string dir = ConfigFolder(modelDir, baseDir);
        return new(
            ModelDirectory.LoadConfig(dir).MaxPositionEmbeddings,
            ModelDirectory.LoadGenerationConfig(dir) ?? new GenerationConfig()
        );
    }

    /// <summary>The folder whose config.json describes <paramref name="modelDir"/>: itself, or an adapter's base
    /// (<paramref name="baseDir"/>, else its base_model_name_or_path).</summary>
    public static string ConfigFolder(string modelDir, string? baseDir = null) =>
        Directory.Exists(modelDir) && PeftAdapter.IsAdapter(modelDir)
            ? PeftAdapter.BaseOf(modelDir, baseDir)
            : modelDir;

    /// <summary>Loads the model a training run continues: its newest checkpoint <paramref name="latest"/> (which
    /// names its own base when it is an adapter), else <paramref name="modelDir"/> over <paramref name="baseDir"/>.
    /// </summary>
    public static LanguageModels.LanguageModel LoadForRun(
        string modelDir,
        string? latest,
        string device,
        string dtype,
        string? baseDir
    ) =>
        LanguageModels.LanguageModel.Load(
            latest ?? modelDir,
            CommonOptions.ToDevice(device, dtype),
            latest is null ? baseDir : null
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
