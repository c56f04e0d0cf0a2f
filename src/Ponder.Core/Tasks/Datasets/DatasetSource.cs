namespace Ponder.Tasks.Datasets;

/// <summary>
/// Loads a dataset file once (on first use) into problems, using a task-specific row reader for the reference
/// answer and question text. Shared by the dataset tasks so ids, counts and errors behave the same everywhere.
/// </summary>
sealed class DatasetSource
{
    static readonly string[] DefaultIdFields = ["unique_id", "id"];

    readonly string task;
    readonly Func<JsonlRow, (string Question, string Reference, IReadOnlyDictionary<string, string> Extra)> read;
    readonly Lazy<(IReadOnlyList<Problem> Problems, int Skipped)> loaded;
    readonly Func<JsonlRow, bool>? keep;

    /// <param name="task">The task name, used in derived ids ("gsm8k-12").</param>
    /// <param name="options">File and field settings.</param>
    /// <param name="read">Turns one row into the question text, the reference answer and extra metadata; it throws
    /// <see cref="PonderException"/> with FILE:LINE for bad rows.</param>
    /// <param name="keep">Which well-formed rows the task can use; the others are skipped and counted with the
    /// malformed ones (e.g. tests of a kind the task does not run). Null keeps every row.</param>
    public DatasetSource(
        string task,
        DatasetOptions options,
        Func<JsonlRow, (string Question, string Reference, IReadOnlyDictionary<string, string> Extra)> read,
        Func<JsonlRow, bool>? keep = null
    )
    {
        this.task = task;
        this.keep = keep;
        Options = options;
        this.read = read;
        loaded = new Lazy<(IReadOnlyList<Problem>, int)>(Load);
    }

    public DatasetOptions Options { get; }

    /// <summary>How many lines were skipped: malformed, or rows the task cannot use (loads the file).</summary>
    public int Skipped => loaded.Value.Skipped;

    /// <summary>The file's problems in file order, the first <paramref name="count"/> when given.</summary>
    public IReadOnlyList<Problem> Problems(int? count)
    {
        if (count < 0)
        {
            throw new PonderException(
                $"count must be ≥ 0 (got {count}); omit it to use every problem of {Options.Path}"
            );
        }

        var all = loaded.Value.Problems;
        return count is { } n && n < all.Count ? all.Take(n).ToList() : all;
    }

    /// <summary>The question of a row: <see cref="DatasetOptions.QuestionField"/>, else the fallback field.</summary>
    public string Question(JsonlRow row) =>
        Options.QuestionFallbackField is { } fallback && !row.Has(Options.QuestionField) && row.Has(fallback)
            ? row.Require(fallback, "question")
            : row.Require(Options.QuestionField, "question");

    (IReadOnlyList<Problem>, int) Load()
    {
        var file = JsonlReader.Read(Options.Path, Options.SkipMalformed);
        var problems = new List<Problem>(file.Rows.Count);
        int unusable = 0;
        foreach (var row in file.Rows)
        {
            if (keep is not null && !keep(row))
            {
                unusable++;
                continue;
            }
            var (question, reference, extra) = read(row);
            var metadata = new Dictionary<string, string>(extra)
            {
                ["line"] = row.Line.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var property in row.Value.EnumerateObject())
            {
                if (
                    property.Value.ValueKind
                        is System.Text.Json.JsonValueKind.String
                            or System.Text.Json.JsonValueKind.Number
                    && property.Name != Options.QuestionField
                    && property.Name != Options.QuestionFallbackField
                    && property.Name != Options.AnswerField
                )
                {
                    metadata.TryAdd(property.Name, row.Scalar(property.Name, property.Value));
                }
            }
            problems.Add(new Problem(Id(row), question, reference, metadata));
        }
        return (problems.AsReadOnly(), file.Skipped + unusable);
    }

    string Id(JsonlRow row)
    {
        if (Options.IdField is { } field)
            return row.Require(field, "id");
        foreach (var candidate in DefaultIdFields)
        {
            if (row.Optional(candidate) is { Length: > 0 } id)
                return id;
        }

        return $"{task}-{row.Line}";
    }
}
