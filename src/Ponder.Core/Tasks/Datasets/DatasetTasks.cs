namespace Ponder.Tasks.Datasets;

/// <summary>The dataset tasks by name: <c>gsm8k</c>, <c>math</c>, <c>aime</c>, <c>choice</c>.</summary>
public static class DatasetTasks
{
    /// <summary>The task names, in the order errors list them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["gsm8k", "math", "aime", "choice"];

    /// <summary>The field settings users may override with <c>--field SETTING=NAME</c>.</summary>
    public static IReadOnlyList<string> FieldSettings { get; } = ["question", "answer", "choices", "id"];

    /// <summary>Creates task <paramref name="name"/> over <paramref name="path"/> from its preset, with field overrides
    /// (e.g. question → "prompt"). The file is read on first use.</summary>
    /// <exception cref="PonderException">Unknown task name or field setting, an empty field name, or "choices" for a
    /// task without choices.</exception>
    public static IDatasetTask Create(
        string name,
        string path,
        IReadOnlyDictionary<string, string>? fieldOverrides = null,
        bool skipMalformed = false
    )
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(path);
        var key = name.Trim().ToLowerInvariant();
        var options = key switch
        {
            "gsm8k" => Gsm8kTask.Defaults(path),
            "math" => MathTask.Defaults(path),
            "aime" => AimeTask.Defaults(path),
            "choice" => ChoiceTask.Defaults(path),
            _ => throw new PonderException($"unknown dataset task \"{name}\"; known: {string.Join(", ", Names)}"),
        };
        options = Apply(
            options with
            {
                SkipMalformed = skipMalformed,
            },
            key,
            fieldOverrides ?? new Dictionary<string, string>()
        );
        return key switch
        {
            "gsm8k" => new Gsm8kTask(options),
            "math" => new MathTask(options),
            "aime" => new AimeTask(options),
            "choice" => new ChoiceTask(options),
            _ => throw new InvalidOperationException($"task \"{key}\" has a preset but no constructor"),
        };
    }

    static DatasetOptions Apply(DatasetOptions options, string task, IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var (setting, field) in overrides.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(field))
            {
                throw new PonderException(
                    $"field setting \"{setting}\" has an empty field name; use --field {setting}=NAME"
                );
            }

            options = setting.Trim().ToLowerInvariant() switch
            {
                // An explicit question field replaces the preset's fallback: the user said where questions are.
                "question" => options with { QuestionField = field, QuestionFallbackField = null },
                "answer" => options with { AnswerField = field },
                "id" => options with { IdField = field },
                "choices" when task == "choice" => options with { ChoicesField = field },
                "choices" => throw new PonderException(
                    $"field setting \"choices\" does not apply to task {task}; it has no choices"
                ),
                _ => throw new PonderException(
                    $"unknown field setting \"{setting}\"; known: {string.Join(", ", FieldSettings)}"
                ),
            };
        }
        return options;
    }
}
