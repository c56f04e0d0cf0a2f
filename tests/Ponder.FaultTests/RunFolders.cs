using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Ponder.Tests.Runs;

namespace Ponder.FaultTests;

/// <summary>What a finished training run left: its final weights, its deterministic metrics, and any trace of an
/// interrupted write.</summary>
static class RunFolders
{
    /// <summary>SHA-256 of the final model's weights.</summary>
    public static string Weights(string run) =>
        Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(run, "model", "model.safetensors"))));

    /// <summary>Every logged value but timings and throughputs (which differ from run to run), in order.</summary>
    public static IReadOnlyList<string> Metrics(string run)
    {
        using var db = Open(run);
        using var cmd = db.CreateCommand();
        cmd.CommandText =
            "SELECT step, name, value FROM metrics WHERE name NOT LIKE 'time/%' AND name NOT LIKE 'perf/%' "
            + "AND name NOT LIKE '%per_second' ORDER BY name, step, rowid";
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read())
            rows.Add($"{r.GetInt32(0)} {r.GetString(1)} {(r.IsDBNull(2) ? "NaN" : r.GetDouble(2).ToString("R"))}");
        return rows;
    }

    /// <summary>(step, name) pairs logged more than once.</summary>
    public static int DuplicateRows(string run)
    {
        using var db = Open(run);
        using var cmd = db.CreateCommand();
        cmd.CommandText =
            "SELECT COUNT(*) FROM (SELECT step, name FROM metrics GROUP BY step, name HAVING COUNT(*) > 1)";
        return Convert.ToInt32(cmd.ExecuteScalar());
    }

    /// <summary>(tag, step) pairs in the TensorBoard events more than once.</summary>
    public static int DuplicateEvents(string run)
    {
        var events = TensorBoardEvents.Read(Path.Combine(run, "tb"));
        return events.Count - events.Select(e => (e.Tag, e.Step)).Distinct().Count();
    }

    /// <summary>Folders of interrupted checkpoint writes still lying around.</summary>
    public static string[] Leftovers(string run) =>
        Directory.Exists(Path.Combine(run, "checkpoints"))
            ? Directory.GetDirectories(Path.Combine(run, "checkpoints"), "*.tmp")
            : [];

    static SqliteConnection Open(string run)
    {
        var db = new SqliteConnection(
            new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(run, "metrics.db"),
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString()
        );
        db.Open();
        return db;
    }
}
