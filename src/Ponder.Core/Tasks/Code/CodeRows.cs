using System.Globalization;
using System.Text.Json;
using Ponder.Tasks.Datasets;

namespace Ponder.Tasks.Code;

/// <summary>
/// Reads one JSONL row of code problems into its question and tests. Tests may be a list of assert statements
/// (MBPP), a string of test code (HumanEval's <c>check</c>, called on the entry point), a list of
/// <c>{"input", "output"}</c> objects (LiveCodeBench), an object of <c>input</c> and <c>output</c> lists
/// (CodeContests), or any of these as a JSON string; several test fields are joined.
/// </summary>
static class CodeRows
{
    public static (string Question, CodeTests Tests, IReadOnlyDictionary<string, string> Extra) Read(
        JsonlRow row,
        CodeTaskOptions options
    )
    {
        var fields = options.Fields;
        string question = row.Require(fields["question"], "question");
        string? entry = Optional(row, fields, "entry_point");
        var asserts = new List<string>();
        var cases = new List<StdioCase>();
        foreach (
            var name in fields["tests"]
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        )
        {
            if (row.Has(name))
                Collect(row, name, row.Value.GetProperty(name), asserts, cases);
        }
        if (asserts.Count > 0 && cases.Count > 0)
            throw Bad(row, fields["tests"], "mixes assert tests and input/output cases; keep one kind per problem");
        if (asserts.Count == 0 && cases.Count == 0)
            throw Bad(row, fields["tests"], "has no tests; set --field tests=NAME to the field holding them");
        if (entry is not null && asserts.Count == 1 && asserts[0].Contains("def check(", StringComparison.Ordinal))
            asserts[0] += $"\n\ncheck({entry})\n";
        var tests = new CodeTests(
            asserts.Count > 0 ? asserts : null,
            Optional(row, fields, "setup"),
            cases.Count > 0 ? cases : null,
            TimeLimit(row, fields) ?? options.TimeLimitSeconds,
            MemoryLimit(row, fields) ?? options.MemoryLimitMb,
            entry is not null && asserts.Count > 0 ? question : null
        );
        var extra = new Dictionary<string, string>();
        if (entry is not null)
            extra["entry_point"] = entry;
        return (question, tests, extra);
    }

    /// <summary>Whether the row's tests are of a kind the task runs: LiveCodeBench's "functional" tests (LeetCode-style
    /// calls of a class method) are not, and such rows are skipped and counted.</summary>
    public static bool Runnable(JsonlRow row, CodeTaskOptions options) =>
        !TestFields(options).Where(row.Has).Any(name => NotStdin(row.Value.GetProperty(name)));

    /// <summary>Whether a test value holds a case whose <c>testtype</c> is other than "stdin", in a JSON string
    /// included; a string that does not parse is left for <see cref="Read"/> to report with its file and
    /// line.</summary>
    static bool NotStdin(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                return value.EnumerateArray().Any(NotStdin);
            case JsonValueKind.Object:
                return value.TryGetProperty("testtype", out var type)
                    && type.ValueKind == JsonValueKind.String
                    && type.GetString() != "stdin";
            case JsonValueKind.String when value.GetString()!.TrimStart() is ['[' or '{', ..] text:
                try
                {
                    using var inner = JsonDocument.Parse(text);
                    return NotStdin(inner.RootElement);
                }
                catch (JsonException)
                {
                    return false;
                }
            default:
                return false;
        }
    }

    static string[] TestFields(CodeTaskOptions options) =>
        options.Fields["tests"].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    static void Collect(JsonlRow row, string field, JsonElement value, List<string> asserts, List<StdioCase> cases)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (text.TrimStart().StartsWith('[') || text.TrimStart().StartsWith('{'))
                {
                    using var inner = Parse(row, field, text);
                    Collect(row, field, inner.RootElement, asserts, cases);
                }
                else if (text.Trim().Length > 0)
                {
                    asserts.Add(text);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                        asserts.Add(item.GetString()!);
                    else if (item.ValueKind != JsonValueKind.Object)
                        throw Bad(row, field, "has an item that is neither an assert string nor an input/output case");
                    else
                        cases.Add(Case(row, field, item));
                }

                break;
            case JsonValueKind.Object
                when value.TryGetProperty("input", out var ins)
                    && value.TryGetProperty("output", out var outs)
                    && ins.ValueKind == JsonValueKind.Array:
                if (outs.ValueKind != JsonValueKind.Array)
                    throw Bad(row, field, "has \"input\" and \"output\" that are not both lists");
                var inputs = ins.EnumerateArray().Select(e => Text(row, field, e)).ToList();
                var outputs = outs.EnumerateArray().Select(e => Text(row, field, e)).ToList();
                if (inputs.Count != outputs.Count)
                    throw Bad(row, field, $"has {inputs.Count} inputs but {outputs.Count} outputs");
                cases.AddRange(inputs.Zip(outputs, (i, o) => new StdioCase(i, o)));
                break;
            default:
                throw Bad(row, field, "is not a list of asserts, test code or input/output cases");
        }
    }

    static StdioCase Case(JsonlRow row, string field, JsonElement item)
    {
        if (
            item.ValueKind != JsonValueKind.Object
            || !item.TryGetProperty("input", out var input)
            || !item.TryGetProperty("output", out var output)
        )
        {
            throw Bad(row, field, "has a case that is not {\"input\": …, \"output\": …}");
        }

        return new StdioCase(Text(row, field, input), Text(row, field, output));
    }

    static string Text(JsonlRow row, string field, JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Bad(
                row,
                field,
                $"has a test input or output that is {value.ValueKind.ToString().ToLowerInvariant()}, not a string"
            );

    static JsonDocument Parse(JsonlRow row, string field, string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Bad(row, field, $"holds a string that is not valid JSON ({e.Message})");
        }
    }

    /// <summary>A string field, or a list of strings joined by lines (sanitized MBPP's <c>test_imports</c>).</summary>
    static string? Optional(JsonlRow row, IReadOnlyDictionary<string, string> fields, string setting)
    {
        if (!fields.TryGetValue(setting, out var name) || !row.Has(name))
            return null;
        var value = row.Value.GetProperty(name);
        return value.ValueKind == JsonValueKind.Array
            ? string.Join('\n', value.EnumerateArray().Select(e => Text(row, name, e)))
            : row.Optional(name);
    }

    /// <summary>Seconds: a number, or CodeContests' <c>{"seconds", "nanos"}</c>; 0 or absent means the
    /// default.</summary>
    static double? TimeLimit(JsonlRow row, IReadOnlyDictionary<string, string> fields)
    {
        if (!fields.TryGetValue("time_limit", out var name) || !row.Has(name))
            return null;
        var v = row.Value.GetProperty(name);
        double seconds = v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.Object => Number(v, "seconds") + (Number(v, "nanos") / 1e9),
            _ => throw Bad(row, name, "is not a number of seconds"),
        };
        return seconds > 0 ? Math.Min(seconds, 60) : null;
    }

    /// <summary>MiB, or bytes when the field's name ends in "_bytes" (CodeContests); 0 or absent means the
    /// default.</summary>
    static int? MemoryLimit(JsonlRow row, IReadOnlyDictionary<string, string> fields)
    {
        if (!fields.TryGetValue("memory_limit", out var name) || !row.Has(name))
            return null;
        var v = row.Value.GetProperty(name);
        if (v.ValueKind != JsonValueKind.Number)
            throw Bad(row, name, "is not a number");
        double value = v.GetDouble();
        double mb = name.EndsWith("_bytes", StringComparison.Ordinal) ? value / (1 << 20) : value;
        return mb >= 1 ? Math.Max(64, (int)Math.Ceiling(mb)) : null;
    }

    static double Number(JsonElement o, string name) =>
        o.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : 0;

    static PonderException Bad(JsonlRow row, string field, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{row.File}:{row.Line}: field \"{field}\" {what}."));
}
