using System.Text.Json;

namespace Ponder.Tasks.Datasets;

/// <summary>One JSON object of a JSONL file and the 1-based line it came from.</summary>
/// <param name="File">The file, for messages.</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Value">The parsed object (a detached clone; no document to dispose).</param>
public sealed record JsonlRow(string File, int Line, JsonElement Value)
{
    /// <summary>Whether the object has <paramref name="field"/> with a non-null value.</summary>
    public bool Has(string field) =>
        Value.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>The value of <paramref name="field"/> as a string (numbers keep their JSON text, e.g. 25 →
    /// "25").</summary>
    /// <param name="field">The JSON property name.</param>
    /// <param name="setting">The <c>--field</c> setting that names it, quoted in the message when it is
    /// missing.</param>
    /// <exception cref="PonderException">The field is missing, null, or an object/array.</exception>
    public string Require(string field, string setting)
    {
        if (!Has(field))
        {
            throw new PonderException(
                $"{File}:{Line}: field \"{field}\" is missing; set --field {setting}=NAME to use another field"
            );
        }

        return Scalar(field, Value.GetProperty(field));
    }

    /// <summary>The value of <paramref name="field"/> as a string, or null when absent.</summary>
    public string? Optional(string field) => Has(field) ? Scalar(field, Value.GetProperty(field)) : null;

    /// <summary>Converts a string, number or boolean to text; anything else is an error naming the field.</summary>
    public string Scalar(string field, JsonElement value) =>
        value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw new PonderException(
                $"{File}:{Line}: field \"{field}\" is {value.ValueKind.ToString().ToLowerInvariant()}, "
                    + "expected a string or a number"
            ),
        };
}

/// <summary>The rows of a JSONL file and how many malformed lines were skipped.</summary>
public sealed record JsonlFile(IReadOnlyList<JsonlRow> Rows, int Skipped);

/// <summary>
/// Reads JSON Lines: one object per line, blank lines ignored. A line that is not a JSON object is an error
/// "FILE:LINE: not valid JSON (…)" unless <c>skipMalformed</c> is set, in which case it is counted and skipped.
/// </summary>
public static class JsonlReader
{
    /// <summary>Reads every object of <paramref name="path"/> in file order.</summary>
    /// <exception cref="PonderException">The file is missing, or a line is malformed and
    /// <paramref name="skipMalformed"/> is false.</exception>
    public static JsonlFile Read(string path, bool skipMalformed = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new PonderException(
                $"{path}: file not found; pass the path of a JSONL file (one JSON object per line)"
            );
        }

        var rows = new List<JsonlRow>();
        var skipped = 0;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var error = TryParse(line, out var element);
            if (error is null)
            {
                rows.Add(new JsonlRow(path, lineNumber, element));
                continue;
            }
            if (!skipMalformed)
            {
                throw new PonderException(
                    $"{path}:{lineNumber}: not valid JSON ({error}); fix the line or skip malformed lines"
                );
            }

            skipped++;
        }
        return new JsonlFile(rows, skipped);
    }

    /// <summary>Parses one line; returns null on success, else a short reason.</summary>
    static string? TryParse(string line, out JsonElement element)
    {
        element = default;
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return $"expected an object, found {document.RootElement.ValueKind.ToString().ToLowerInvariant()}";
            element = document.RootElement.Clone();
            return null;
        }
        catch (JsonException e)
        {
            return e.Message;
        }
    }
}
