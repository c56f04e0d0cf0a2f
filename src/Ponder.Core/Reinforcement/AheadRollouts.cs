using System.Text.Json;
using Ponder.Generation;

namespace Ponder.Reinforcement;

/// <summary>
/// The next step's rollouts, sampled ahead by an asynchronous run (<see cref="RlOptions.MaxStaleness"/>) from weights
/// a checkpoint no longer holds: saved with the checkpoint so that a resumed run trains on exactly them (they cannot be
/// regenerated). The completions are kept as sampled (ids, behaviour log-probs, text); grades and rewards are computed
/// again on load.
/// </summary>
static class AheadRollouts
{
    public const string FileName = "rollouts_ahead.json";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <param name="Step">The step they are for.</param>
    internal sealed record Saved(
        int Step,
        int Version,
        long Position,
        Sampling Stats,
        List<int> PoolIndices,
        List<Completion> Completions
    );

    public static void Save(string path, int step, StepRollouts rollouts)
    {
        var saved = new Saved(
            step,
            rollouts.Version,
            rollouts.Position,
            rollouts.Stats,
            rollouts.PoolIndices,
            [.. rollouts.Rollouts.Select(r => r.Completion)]
        );
        File.WriteAllText(path, JsonSerializer.Serialize(saved, Json));
    }

    /// <summary>The rollouts saved for <paramref name="step"/>; a file for another step, or one that does not read,
    /// says what to do.</summary>
    public static Saved Load(string path, int step)
    {
        Saved? saved;
        try
        {
            saved = JsonSerializer.Deserialize<Saved>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new PonderException(
                $"{path}: not the rollouts of an asynchronous run ({e.Message}); restore it from another copy of the "
                    + "checkpoint or resume from an earlier one."
            );
        }

        if (saved is null || saved.Step != step || saved.PoolIndices.Count != saved.Completions.Count)
        {
            throw new PonderException(
                $"{path}: holds rollouts for step {saved?.Step}, the checkpoint is at step {step}; the checkpoint "
                    + "folder was mixed up — resume from another one."
            );
        }

        return saved;
    }
}
