using System.Text.Json;
using static TorchSharp.torch;

namespace Ponder.Runs;

/// <summary>Continuing a run: what a resume or a restart drops, so that no step is ever logged twice — in SQLite or in
/// TensorBoard.</summary>
public sealed partial class RunStore
{
    /// <summary>Deletes metric and sample rows with a step greater than <paramref name="step"/>, so a run resumed from
    /// that step's checkpoint re-logs without duplicates, and rewrites the TensorBoard events from what is kept
    /// (event files are append-only).</summary>
    public void TruncateAfter(int step)
    {
        using (var tx = db.BeginTransaction())
        {
            foreach (string table in new[] { "metrics", "samples" })
            {
                using var cmd = Command($"DELETE FROM {table} WHERE step > $step", tx);
                Bind(cmd, ("$step", step));
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
        RewriteTensorBoard();
    }

    /// <summary>Starts the run over in place: drops every metric, sample and headline but its kind and creation time,
    /// and writes <paramref name="config"/> as its config.json.</summary>
    public void Restart(object config)
    {
        ArgumentNullException.ThrowIfNull(config);
        TruncateAfter(-1);
        using (var cmd = Command("DELETE FROM runs WHERE key NOT IN ('kind', 'created')"))
            cmd.ExecuteNonQuery();
        Checkpoints.AtomicFile.WriteAllText(
            Path.Combine(Dir, ConfigFile),
            JsonSerializer.Serialize(config, config.GetType(), ConfigJson)
        );
    }

    /// <summary>Replaces the TensorBoard events with the metrics in the database.</summary>
    void RewriteTensorBoard()
    {
        tensorBoard = null;
        if (Directory.Exists(TensorBoardDir))
            Directory.Delete(TensorBoardDir, recursive: true);
        using var cmd = Command("SELECT step, name, value FROM metrics ORDER BY step, rowid");
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            tensorBoard ??= utils.tensorboard.SummaryWriter(TensorBoardDir);
            double value = reader.IsDBNull(2) ? double.NaN : reader.GetDouble(2);
            tensorBoard.add_scalar(reader.GetString(1), (float)value, reader.GetInt32(0));
        }
    }
}
