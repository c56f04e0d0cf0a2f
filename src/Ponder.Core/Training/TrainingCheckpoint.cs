using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ponder.Checkpoints;
using Ponder.LanguageModels;

namespace Ponder.Training;

/// <summary>Where a run stands: enough, with the weights and the optimizer state, to continue exactly.</summary>
public sealed record TrainerState
{
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "";

    [JsonPropertyName("step")]
    public int Step { get; init; }

    [JsonPropertyName("data_position")]
    public long DataPosition { get; init; }

    [JsonPropertyName("seed")]
    public long Seed { get; init; }

    /// <summary>Free-form values a trainer needs back (e.g. an RNG state), kept verbatim.</summary>
    [JsonPropertyName("extra")]
    public Dictionary<string, string> Extra { get; init; } = [];
}

/// <summary>
/// Checkpoints as folders <c>checkpoints/step-000200/</c>: a Hugging Face model directory (usable as
/// <c>--model</c>), <c>optimizer.safetensors</c> and <c>trainer_state.json</c>. A checkpoint is written into a
/// <c>.tmp</c> folder and renamed when complete, so a crash mid-write never replaces a good checkpoint.
/// </summary>
public static class TrainingCheckpoint
{
    public const string StateFile = "trainer_state.json";
    public const string OptimizerFile = "optimizer.safetensors";
    const string Prefix = "step-";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <param name="extra">Writes further files into the checkpoint folder before it is completed (e.g. a reference
    /// policy).</param>
    public static string Save(
        string checkpointsDir,
        TrainerState state,
        LanguageModel model,
        AdamW optimizer,
        int keep,
        Action<string>? extra = null
    )
    {
        Directory.CreateDirectory(checkpointsDir);
        string final = Path.Combine(checkpointsDir, Prefix + state.Step.ToString("D6", CultureInfo.InvariantCulture));
        string tmp = final + ".tmp";
        // A .tmp folder is an interrupted write (a run killed mid-checkpoint): never a checkpoint, whatever its step.
        foreach (string leftover in Directory.GetDirectories(checkpointsDir, Prefix + "*.tmp"))
            Directory.Delete(leftover, recursive: true);
        model.Save(tmp);
        optimizer.Save(Path.Combine(tmp, OptimizerFile));
        extra?.Invoke(tmp);
        AtomicFile.WriteAllText(Path.Combine(tmp, StateFile), JsonSerializer.Serialize(state, Json) + "\n");
        if (Directory.Exists(final))
            Directory.Delete(final, recursive: true);
        Directory.Move(tmp, final);
        foreach (var old in Complete(checkpointsDir).SkipLast(keep))
            Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>The newest complete checkpoint, or null. Leftover <c>.tmp</c> folders of an interrupted write are
    /// ignored.</summary>
    public static string? Latest(string checkpointsDir) => Complete(checkpointsDir).LastOrDefault();

    public static TrainerState ReadState(string checkpoint)
    {
        string path = Path.Combine(checkpoint, StateFile);
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path))
                ?? throw new PonderException($"{path}: empty trainer state.");
        }
        catch (JsonException e)
        {
            throw new PonderException(
                $"{path}: unreadable trainer state ({e.Message}); delete this checkpoint to resume from the "
                    + "one before.",
                e
            );
        }
    }

    static IEnumerable<string> Complete(string checkpointsDir) =>
        !Directory.Exists(checkpointsDir)
            ? []
            : Directory
                .GetDirectories(checkpointsDir, Prefix + "*")
                .Where(d => !d.EndsWith(".tmp", StringComparison.Ordinal) && File.Exists(Path.Combine(d, StateFile)))
                .Order(StringComparer.Ordinal);
}
