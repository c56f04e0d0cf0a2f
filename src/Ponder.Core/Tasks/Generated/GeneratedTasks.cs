using System.Globalization;

namespace Ponder.Tasks.Generated;

/// <summary>
/// The generated tasks by name, configured by <c>key=value</c> settings (e.g. from the command line):
/// <list type="bullet">
/// <item><c>arithmetic</c>: min-digits, max-digits, operations, tool (python or none).</item>
/// <item><c>countdown</c>: numbers, min-number, max-number, min-target, max-target, max-trace-lines, guided, scan,
/// path-only, all-needed.</item> </list>
/// An unknown setting or a malformed value is a <see cref="PonderException"/> listing what is known.
/// </summary>
public static class GeneratedTasks
{
    /// <summary>The task names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["arithmetic", "countdown"];

    /// <summary>Builds the task <paramref name="name"/> with <paramref name="settings"/> over its defaults and
    /// <paramref name="seed"/> as its seed.</summary>
    public static ITraceTask Create(string name, IReadOnlyDictionary<string, string> settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return name switch
        {
            "arithmetic" => Arithmetic(new Settings(name, settings, ArithmeticKeys), seed),
            "countdown" => Countdown(new Settings(name, settings, CountdownKeys), seed),
            _ => throw new PonderException($"unknown generated task \"{name}\"; known: {string.Join(", ", Names)}"),
        };
    }

    static readonly string[] ArithmeticKeys = ["min-digits", "max-digits", "operations", "tool"];

    static readonly string[] CountdownKeys =
    [
        "numbers",
        "min-number",
        "max-number",
        "min-target",
        "max-target",
        "max-trace-lines",
        "guided",
        "scan",
        "path-only",
        "all-needed",
    ];

    static ArithmeticTask Arithmetic(Settings s, int seed)
    {
        var defaults = new ArithmeticOptions();
        return new ArithmeticTask(
            new ArithmeticOptions
            {
                Seed = seed,
                MinDigits = s.Int("min-digits", defaults.MinDigits),
                MaxDigits = s.Int("max-digits", defaults.MaxDigits),
                Operations = s.Text("operations", defaults.Operations),
                Tool = s.Text("tool", "none") is "none" ? null : s.Text("tool", "none"),
            }
        );
    }

    static CountdownTask Countdown(Settings s, int seed)
    {
        var defaults = new CountdownOptions();
        return new CountdownTask(
            new CountdownOptions
            {
                Seed = seed,
                Numbers = s.Int("numbers", defaults.Numbers),
                MinNumber = s.Int("min-number", defaults.MinNumber),
                MaxNumber = s.Int("max-number", defaults.MaxNumber),
                MinTarget = s.Int("min-target", defaults.MinTarget),
                MaxTarget = s.Int("max-target", defaults.MaxTarget),
                MaxTraceLines = s.Int("max-trace-lines", defaults.MaxTraceLines),
                Guided = s.Bool("guided", defaults.Guided),
                Scan = s.Bool("scan", defaults.Scan),
                PathOnly = s.Bool("path-only", defaults.PathOnly),
                AllNumbersNeeded = s.Bool("all-needed", defaults.AllNumbersNeeded),
            }
        );
    }

    /// <summary>Typed reads of one task's settings; the constructor rejects unknown keys.</summary>
    sealed class Settings
    {
        readonly string task;
        readonly IReadOnlyDictionary<string, string> values;

        public Settings(string task, IReadOnlyDictionary<string, string> values, string[] known)
        {
            this.task = task;
            this.values = values;
            foreach (var key in values.Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal))
                throw new PonderException($"{task}: unknown setting \"{key}\"; known: {string.Join(", ", known)}");
        }

        public int Int(string key, int fallback)
        {
            if (!values.TryGetValue(key, out var text))
                return fallback;
            return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw new PonderException($"{task}: setting {key}=\"{text}\" is not an integer");
        }

        public bool Bool(string key, bool fallback)
        {
            if (!values.TryGetValue(key, out var text))
                return fallback;
            return text.Trim().ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" => false,
                _ => throw new PonderException($"{task}: setting {key}=\"{text}\" must be true or false"),
            };
        }

        public string Text(string key, string fallback) =>
            values.TryGetValue(key, out var text) ? text.Trim() : fallback;
    }
}
