using System.Text.Json;

namespace Ponder.Evaluation;

/// <summary>
/// Reads graded samples from JSON lines: <c>problem_id</c> (string or number), <c>answer</c> (the canonical answer,
/// string or null), <c>correct</c> (bool) are required; <c>score</c> (number or null) and <c>sample_index</c> (integer;
/// default: the sample's position within its problem) are optional; other fields are ignored. Blank lines are skipped.
/// </summary>
public static class GradedSampleFile
{
    /// <exception cref="PonderException">A missing file, or a line that is not JSON or lacks a field ("FILE:LINE:
    /// …").</exception>
    public static IReadOnlyList<GradedSample> Read(string path)
    {
        if (!File.Exists(path))
            throw new PonderException($"{path}: file not found.");
        var samples = new List<GradedSample>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            string where = $"{path}:{lineNumber}";
            var sample = Parse(line, where, counts);
            samples.Add(sample);
        }
        if (samples.Count == 0)
            throw new PonderException($"{path}: no samples (expected one JSON object per line).");
        return samples;
    }

    static GradedSample Parse(string line, string where, Dictionary<string, int> counts)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new PonderException($"{where}: not valid JSON ({e.Message.Split(" LineNumber", 2)[0]})", e);
        }
        using (doc)
            return FromObject(doc.RootElement, where, counts);
    }

    static GradedSample FromObject(JsonElement root, string where, Dictionary<string, int> counts)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PonderException(
                $"{where}: expected a JSON object, got {root.ValueKind.ToString().ToLowerInvariant()}."
            );
        }

        string problemId = Required(root, "problem_id", where) switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString()!,
            { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
            var other => throw new PonderException(
                $"{where}: \"problem_id\" must be a string or number, got {Kind(other)}."
            ),
        };
        string? answer = Required(root, "answer", where) switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { ValueKind: JsonValueKind.Null } => null,
            var other => throw new PonderException($"{where}: \"answer\" must be a string or null, got {Kind(other)}."),
        };
        bool correct = Required(root, "correct", where) switch
        {
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            var other => throw new PonderException($"{where}: \"correct\" must be true or false, got {Kind(other)}."),
        };
        double? score = root.TryGetProperty("score", out var sc)
            ? sc switch
            {
                { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
                { ValueKind: JsonValueKind.Null } => null,
                var other => throw new PonderException(
                    $"{where}: \"score\" must be a number or null, got {Kind(other)}."
                ),
            }
            : null;
        int position = counts.GetValueOrDefault(problemId);
        counts[problemId] = position + 1;
        int index = root.TryGetProperty("sample_index", out var si)
            ? si.ValueKind == JsonValueKind.Number && si.TryGetInt32(out int i)
                ? i
                : throw new PonderException($"{where}: \"sample_index\" must be an integer, got {Kind(si)}.")
            : position;
        return new GradedSample(problemId, index, answer, correct, score);
    }

    static JsonElement Required(JsonElement root, string name, string where) =>
        root.TryGetProperty(name, out var value)
            ? value
            : throw new PonderException($"{where}: missing field \"{name}\".");

    static string Kind(JsonElement e) =>
        e.ValueKind switch
        {
            JsonValueKind.Number or JsonValueKind.String =>
                $"{e.ValueKind.ToString().ToLowerInvariant()} {e.GetRawText()}",
            var k => k.ToString().ToLowerInvariant(),
        };
}
