using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Runs;

/// <summary>
/// One run's folder, <c>&lt;root&gt;/&lt;name&gt;/</c>: <c>config.json</c> (the run's options), <c>metrics.db</c>
/// (SQLite: <c>metrics</c>, <c>samples</c>, and <c>runs</c> for key/value headlines), TensorBoard scalars under
/// <c>tb/</c> and checkpoints under <c>checkpoints/</c>. A resumed run is <see cref="Open"/>ed, truncated to its
/// checkpoint step with <see cref="TruncateAfter"/>, and appended to.
/// </summary>
public sealed partial class RunStore : IDisposable
{
    /// <summary>The file name of the run's options.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>The file name of the run's SQLite database.</summary>
    public const string DatabaseFile = "metrics.db";

    static readonly JsonSerializerOptions ConfigJson = new() { WriteIndented = true };

    readonly SqliteConnection db;
    readonly TimeProvider time;
    SummaryWriter? tensorBoard;

    RunStore(string dir, SqliteConnection db, TimeProvider time)
    {
        Dir = dir;
        this.db = db;
        this.time = time;
    }

    /// <summary>The run folder.</summary>
    public string Dir { get; }

    /// <summary>The run's name: its folder's name.</summary>
    public string Name => Path.GetFileName(Dir);

    /// <summary>Where checkpoints go: <c>checkpoints/</c> in the run folder (created with the run).</summary>
    public string CheckpointsDir => Path.Combine(Dir, "checkpoints");

    /// <summary>The TensorBoard log directory: <c>tb/</c> in the run folder.</summary>
    public string TensorBoardDir => Path.Combine(Dir, "tb");

    /// <summary>The folder for the checkpoint of <paramref name="step"/>: <c>checkpoints/step-000123</c>.</summary>
    public string CheckpointPath(int step) => Path.Combine(CheckpointsDir, $"step-{step:D6}");

    /// <summary>Creates a new run folder <c>root/name</c>; without a name, <c>yyyyMMdd-HHmmss-kind</c> in UTC from
    /// <paramref name="time"/>.</summary>
    /// <param name="kind">What the run is, e.g. <c>sft</c>, <c>grpo</c>, <c>eval</c>; stored as the headline
    /// <c>kind</c>.</param>
    /// <param name="config">The run's options, serialized to <c>config.json</c> by their runtime type.</param>
    /// <param name="time">The clock for the name, creation time and wall times. The default is
    /// <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="PonderException">The folder exists already.</exception>
    public static RunStore Create(string root, string kind, string? name, object config, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        time ??= TimeProvider.System;
        var now = time.GetUtcNow();
        name ??= $"{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{kind}";
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
            throw new PonderException($"run name \"{name}\" is not a valid folder name.");
        string dir = Path.GetFullPath(Path.Combine(root, name));
        if (Directory.Exists(dir))
            throw new PonderException($"{dir}: the run exists already; choose another name, or resume it.");
        // Built aside and moved into place whole: a process killed while creating leaves no half-made run folder.
        string building = Path.Combine(Path.GetDirectoryName(dir)!, $".{name}.creating");
        if (Directory.Exists(building))
            Directory.Delete(building, recursive: true);
        Directory.CreateDirectory(Path.Combine(building, "checkpoints"));
        File.WriteAllText(
            Path.Combine(building, ConfigFile),
            JsonSerializer.Serialize(config, config.GetType(), ConfigJson)
        );
        using (var made = new RunStore(building, Connect(building), time))
        {
            made.CreateSchema();
            made.SetHeadline("kind", kind);
            made.SetHeadline("created", now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        }
        Directory.Move(building, dir);
        return new RunStore(dir, Connect(dir), time);
    }

    /// <summary>Opens an existing run to read it or append to it.</summary>
    /// <exception cref="PonderException">The folder has no <c>metrics.db</c>.</exception>
    public static RunStore Open(string dir, TimeProvider? time = null)
    {
        if (!File.Exists(Path.Combine(dir, DatabaseFile)))
            throw new PonderException($"{dir}: not a run folder (no {DatabaseFile}).");
        var store = new RunStore(
            Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar),
            Connect(dir),
            time ?? TimeProvider.System
        );
        try
        {
            store.CreateSchema();
        }
        catch (SqliteException e)
        {
            store.Dispose();
            throw new PonderException(
                $"{Path.Combine(dir, DatabaseFile)}: unreadable ({e.Message.TrimEnd('.')}); move the run folder "
                    + "aside or restore the file.",
                e
            );
        }
        return store;
    }

    /// <summary>Every run under <paramref name="root"/> (folders holding a <c>metrics.db</c>), by name. A run whose
    /// database cannot be read is listed as <see cref="RunSummary.Unreadable"/>, naming the file, so one damaged run
    /// does not hide the others.</summary>
    public static IReadOnlyList<RunSummary> List(string root)
    {
        if (!Directory.Exists(root))
            return [];
        var runs = new List<RunSummary>();
        foreach (string dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            string database = Path.Combine(dir, DatabaseFile);
            if (!File.Exists(database))
                continue;
            try
            {
                using var run = Open(dir);
                runs.Add(run.Summary());
            }
            catch (PonderException e)
            {
                runs.Add(RunSummary.Unreadable(Path.GetFileName(dir), e.Message));
            }
            catch (SqliteException e)
            {
                runs.Add(RunSummary.Unreadable(Path.GetFileName(dir), $"{database}: unreadable ({e.Message})"));
            }
        }
        return runs;
    }

    /// <summary>Appends one value per metric at <paramref name="step"/> to <c>metrics</c> and to TensorBoard.</summary>
    public void LogMetrics(int step, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        double wallTime = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        using (var tx = db.BeginTransaction())
        {
            using var insert = Command(
                "INSERT INTO metrics(step, name, value, wall_time) VALUES ($step, $name, $value, $wall)",
                tx
            );
            foreach (var (name, value) in metrics)
            {
                Bind(insert, ("$step", step), ("$name", name), ("$value", value), ("$wall", wallTime));
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        tensorBoard ??= utils.tensorboard.SummaryWriter(TensorBoardDir);
        foreach (var (name, value) in metrics)
            tensorBoard.add_scalar(name, (float)value, step);
    }

    /// <summary>Appends samples at <paramref name="step"/> to <c>samples</c>.</summary>
    public void LogSamples(int step, IEnumerable<SampleRecord> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        using var tx = db.BeginTransaction();
        using var insert = Command(
            "INSERT INTO samples(step, problem_id, sample_index, prompt, completion, answer, correct, "
                + "reward, reasoning_tokens, answer_tokens, score) "
                + "VALUES ($step, $problem, $index, $prompt, $completion, $answer, $correct, $reward, "
                + "$reasoning, $answerTokens, $score)",
            tx
        );
        foreach (var s in samples)
        {
            Bind(
                insert,
                ("$step", step),
                ("$problem", s.ProblemId),
                ("$index", s.SampleIndex),
                ("$prompt", s.Prompt),
                ("$completion", s.Completion),
                ("$answer", s.Answer),
                ("$correct", s.Correct ? 1 : 0),
                ("$reward", s.Reward),
                ("$reasoning", s.ReasoningTokens),
                ("$answerTokens", s.AnswerTokens),
                ("$score", s.Score)
            );
            insert.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>Sets (or replaces) a headline value in <c>runs</c>, e.g. <c>("pass@1", "0.42")</c>.</summary>
    public void SetHeadline(string key, string value)
    {
        using var cmd = Command(
            "INSERT INTO runs(key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        );
        Bind(cmd, ("$key", key), ("$value", value));
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        // TorchSharp's SummaryWriter writes each event to its file as it is added and holds no handle to release.
        tensorBoard = null;
        db.Dispose();
    }

    static SqliteConnection Connect(string dir)
    {
        // No pooling: the file is released on Dispose, so a finished run can be moved or deleted at once.
        var db = new SqliteConnection(
            new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dir, DatabaseFile),
                Pooling = false,
            }.ToString()
        );
        db.Open();
        return db;
    }

    void CreateSchema()
    {
        using var cmd = Command(
            """
            CREATE TABLE IF NOT EXISTS metrics(step INTEGER, name TEXT, value REAL, wall_time REAL);
            CREATE INDEX IF NOT EXISTS metrics_name_step ON metrics(name, step);
            CREATE TABLE IF NOT EXISTS samples(step INTEGER, problem_id TEXT, sample_index INTEGER, prompt TEXT,
                completion TEXT, answer TEXT, correct INTEGER, reward REAL, reasoning_tokens INTEGER,
                answer_tokens INTEGER, score REAL);
            CREATE TABLE IF NOT EXISTS runs(key TEXT PRIMARY KEY, value TEXT);
            """
        );
        cmd.ExecuteNonQuery();
    }

    SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    static void Bind(SqliteCommand cmd, params (string Name, object? Value)[] values)
    {
        cmd.Parameters.Clear();
        // SQLite has no NaN (Microsoft.Data.Sqlite refuses to bind it): a NaN is stored as NULL and read back as NaN.
        foreach (var (name, value) in values)
            cmd.Parameters.AddWithValue(name, value is null or double.NaN ? DBNull.Value : value);
    }
}
