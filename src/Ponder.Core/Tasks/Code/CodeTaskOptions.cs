using System.Globalization;

namespace Ponder.Tasks.Code;

/// <summary>
/// The code task's settings (<c>--task-option KEY=VALUE</c>) and field names (<c>--field SETTING=NAME</c>). A format
/// presets the fields of a public set; single fields can then be changed.
/// </summary>
/// <param name="Path">The JSONL file.</param>
public sealed record CodeTaskOptions(string Path)
{
    /// <summary>The formats, each a preset of field names (see docs in README, "Code problems").</summary>
    public static IReadOnlyList<string> Formats { get; } =
    ["generic", "humaneval", "mbpp", "codecontests", "livecodebench"];

    /// <summary>The settings <c>--task-option</c> takes.</summary>
    public static IReadOnlyList<string> Settings { get; } =
    ["format", "language", "workers", "time_limit", "memory_limit"];

    /// <summary>The fields <c>--field</c> may rename.</summary>
    public static IReadOnlyList<string> FieldSettings { get; } =
    ["question", "tests", "entry_point", "setup", "id", "time_limit", "memory_limit"];

    /// <summary>The field preset.</summary>
    /// <value>The default value is "generic".</value>
    public string Format { get; init; } = "generic";

    /// <summary>The programs' language (<see cref="CodeLanguages"/>).</summary>
    /// <value>The default value is "python".</value>
    public string Language { get; init; } = "python";

    /// <summary>Programs graded at once, each in its own sandbox.</summary>
    /// <value>The default value is 2.</value>
    public int Workers { get; init; } = 2;

    /// <summary>Seconds per run (all of a program's asserts, or one standard-input case) when a problem gives
    /// none.</summary>
    /// <value>The default value is 2.</value>
    public double TimeLimitSeconds { get; init; } = 2;

    /// <summary>Memory per run in MiB when a problem gives none.</summary>
    /// <value>The default value is 256.</value>
    public int MemoryLimitMb { get; init; } = 256;

    /// <summary>JSON field names by setting (question, tests — several separated by commas —, entry_point, setup, id,
    /// time_limit, memory_limit); a setting the preset leaves out is not read.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = Preset("generic");

    /// <summary>Whether malformed JSONL lines are skipped.</summary>
    /// <value>The default value is false.</value>
    public bool SkipMalformed { get; init; }

    /// <summary>The field names of a format.</summary>
    public static IReadOnlyDictionary<string, string> Preset(string format) =>
        format switch
        {
            "generic" => Map("question", "tests", "entry_point", "setup", "id", "time_limit", "memory_limit"),
            "humaneval" => Map("prompt", "test", "entry_point", null, "task_id", null, null),
            "mbpp" => Map("text", "test_list", null, "test_setup_code", "task_id", null, null),
            "codecontests" => Map(
                "description",
                "public_tests,private_tests,generated_tests",
                null,
                null,
                "name",
                "time_limit",
                "memory_limit_bytes"
            ),
            "livecodebench" => Map("question_content", "public_test_cases", null, null, "question_id", null, null),
            _ => throw new PonderException(
                $"--task-option format={format}: unknown format; known: {string.Join(", ", Formats)}."
            ),
        };

    static Dictionary<string, string> Map(
        string question,
        string tests,
        string? entry,
        string? setup,
        string id,
        string? time,
        string? memory
    )
    {
        var map = new Dictionary<string, string>
        {
            ["question"] = question,
            ["tests"] = tests,
            ["id"] = id,
        };
        void Add(string key, string? value)
        {
            if (value is not null)
                map[key] = value;
        }
        Add("entry_point", entry);
        Add("setup", setup);
        Add("time_limit", time);
        Add("memory_limit", memory);
        return map;
    }

    /// <summary>The options from <c>--task-option</c> settings and <c>--field</c> renames, validated.</summary>
    public static CodeTaskOptions Parse(
        string path,
        IReadOnlyDictionary<string, string>? settings,
        IReadOnlyDictionary<string, string>? fields,
        bool skipMalformed
    )
    {
        var options = new CodeTaskOptions(path) { SkipMalformed = skipMalformed };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            options = key switch
            {
                "format" => options with { Format = value, Fields = Preset(value) },
                "language" => options with { Language = CodeLanguages.Get(value).Name },
                "workers" => options with { Workers = Positive(key, value) },
                "time_limit" => options with { TimeLimitSeconds = Seconds(value) },
                "memory_limit" => options with { MemoryLimitMb = Megabytes(value) },
                _ => throw new PonderException(
                    $"--task-option {key}: unknown for task code; known: {string.Join(", ", Settings)}."
                ),
            };
        }
        var renamed = new Dictionary<string, string>(options.Fields);
        foreach (var (setting, field) in fields ?? new Dictionary<string, string>())
        {
            if (!FieldSettings.Contains(setting))
            {
                throw new PonderException(
                    $"--field {setting}: unknown for task code; known: {string.Join(", ", FieldSettings)}."
                );
            }

            renamed[setting] = field;
        }
        return options with { Fields = renamed };
    }

    static int Positive(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1
            ? n
            : throw new PonderException($"--task-option {key}={value}: expected a whole number of at least 1.");

    static int Megabytes(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 64
            ? n
            : throw new PonderException(
                $"--task-option memory_limit={value}: expected MiB, at least 64 (the interpreter's own needs)."
            );

    static double Seconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 && s <= 60
            ? s
            : throw new PonderException($"--task-option time_limit={value}: expected seconds in (0, 60].");
}
