namespace Ponder.Runs;

/// <summary>Reading a run back: headlines, metric series, samples, the last step.</summary>
public sealed partial class RunStore
{
    /// <summary>All headline values, by key (including <c>kind</c> and <c>created</c>).</summary>
    public IReadOnlyDictionary<string, string> ReadHeadlines()
    {
        using var cmd = Command("SELECT key, value FROM runs ORDER BY rowid");
        using var reader = cmd.ExecuteReader();
        var headlines = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
            headlines[reader.GetString(0)] = reader.GetString(1);
        return headlines;
    }

    /// <summary>The values of one metric in logging order (by step, then insertion); a logged NaN reads back as
    /// NaN.</summary>
    public IReadOnlyList<(int Step, double Value)> ReadMetrics(string name)
    {
        using var cmd = Command("SELECT step, value FROM metrics WHERE name = $name ORDER BY step, rowid");
        Bind(cmd, ("$name", name));
        using var reader = cmd.ExecuteReader();
        var points = new List<(int, double)>();
        while (reader.Read())
            points.Add((reader.GetInt32(0), reader.IsDBNull(1) ? double.NaN : reader.GetDouble(1)));
        return points;
    }

    /// <summary>The samples logged at <paramref name="step"/>, in logging order.</summary>
    public IReadOnlyList<SampleRecord> ReadSamples(int step)
    {
        using var cmd = Command(
            "SELECT problem_id, sample_index, prompt, completion, answer, correct, reward, reasoning_tokens, "
                + "answer_tokens, score FROM samples WHERE step = $step ORDER BY rowid"
        );
        Bind(cmd, ("$step", step));
        using var r = cmd.ExecuteReader();
        var samples = new List<SampleRecord>();
        while (r.Read())
        {
            samples.Add(
                new SampleRecord(
                    r.GetString(0),
                    r.GetInt32(1),
                    r.GetString(2),
                    r.GetString(3),
                    r.IsDBNull(4) ? null : r.GetString(4),
                    r.GetInt32(5) != 0,
                    r.IsDBNull(6) ? null : r.GetDouble(6),
                    r.GetInt32(7),
                    r.GetInt32(8),
                    r.IsDBNull(9) ? null : r.GetDouble(9)
                )
            );
        }
        return samples;
    }

    /// <summary>The largest step with a logged metric, or null when none was logged.</summary>
    public int? LastStep()
    {
        using var cmd = Command("SELECT MAX(step) FROM metrics");
        return cmd.ExecuteScalar() is long step ? (int)step : null;
    }

    /// <summary>This run as <c>ponder runs</c> lists it.</summary>
    public RunSummary Summary()
    {
        var headlines = new Dictionary<string, string>(ReadHeadlines(), StringComparer.Ordinal);
        string kind = headlines.Remove("kind", out var k) ? k : "?";
        string created = headlines.Remove("created", out var c) ? c : "?";
        return new RunSummary(Name, kind, created, headlines, LastStep());
    }
}
