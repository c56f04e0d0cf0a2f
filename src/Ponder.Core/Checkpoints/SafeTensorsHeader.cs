using System.Text.Json;
using TorchSharp;

namespace Ponder.Checkpoints;

/// <summary>One tensor's header entry. <see cref="Begin"/> and <see cref="End"/> are relative to the data
/// buffer.</summary>
public sealed record SafeTensorsEntry(
    string Name,
    string DType,
    torch.ScalarType ScalarType,
    IReadOnlyList<long> Shape,
    long Begin,
    long End
)
{
    /// <summary>Number of elements (1 for a scalar, shape []).</summary>
    public long NumElements => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Bytes of data (<see cref="End"/> − <see cref="Begin"/>).</summary>
    public long ByteSize => End - Begin;
}

/// <summary>
/// The parsed, validated header of a safetensors file: tensor entries in file order, the <c>__metadata__</c>
/// strings, and where the data buffer starts. Obtained without reading any tensor data.
/// </summary>
public sealed record SafeTensorsHeader(
    IReadOnlyList<SafeTensorsEntry> Tensors,
    IReadOnlyDictionary<string, string> Metadata,
    long DataStart,
    long DataLength
)
{
    /// <summary>Headers larger than this are refused (the Hugging Face reader's limit, 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Total bytes of tensor data described by the header.</summary>
    public long TotalTensorBytes => Tensors.Sum(t => t.ByteSize);

    /// <summary>Reads and validates the header of an open file; every problem is a one-line
    /// <see cref="PonderException"/> naming <paramref name="path"/>.</summary>
    internal static SafeTensorsHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw new PonderException(
                $"{path}: file is {fileLength} bytes, shorter than the 8-byte header length of a safetensors "
                    + "file (truncated or not safetensors)."
            );
        }

        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong n = BitConverter.ToUInt64(prefix);
        if (n > (ulong)(fileLength - 8))
        {
            throw new PonderException(
                $"{path}: header length {n} runs past the end of the file ({fileLength} bytes); the file is "
                    + "truncated or not safetensors."
            );
        }

        if (n > MaxHeaderBytes)
        {
            throw new PonderException(
                $"{path}: header length {n} exceeds the {MaxHeaderBytes}-byte limit; the file is not a valid "
                    + "safetensors file."
            );
        }

        var json = new byte[(int)n];
        stream.ReadExactly(json);
        long dataStart = 8 + (long)n;
        return Parse(json, path, dataStart, fileLength - dataStart);
    }

    static SafeTensorsHeader Parse(byte[] json, string path, long dataStart, long dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new PonderException($"{path}: header is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new PonderException($"{path}: header must be a JSON object, found {doc.RootElement.ValueKind}.");
            var metadata = new Dictionary<string, string>();
            var entries = new List<SafeTensorsEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                    throw new PonderException($"{path}: header names \"{prop.Name}\" twice.");
                if (prop.Name == "__metadata__")
                    ReadMetadata(prop.Value, path, metadata);
                else
                    entries.Add(ReadEntry(prop.Name, prop.Value, path, dataLength));
            }
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            for (int i = 1; i < entries.Count; i++)
            {
                if (entries[i].Begin < entries[i - 1].End)
                {
                    throw new PonderException(
                        $"{path}: tensor \"{entries[i].Name}\" data [{entries[i].Begin}, {entries[i].End}] "
                            + $"overlaps tensor \"{entries[i - 1].Name}\" [{entries[i - 1].Begin}, "
                            + $"{entries[i - 1].End}]."
                    );
                }
            }
            return new SafeTensorsHeader(entries, metadata, dataStart, dataLength);
        }
    }

    static void ReadMetadata(JsonElement value, string path, Dictionary<string, string> metadata)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PonderException(
                $"{path}: \"__metadata__\" must be an object of strings, found {value.ValueKind}."
            );
        }

        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
            {
                throw new PonderException(
                    $"{path}: \"__metadata__\" value \"{m.Name}\" must be a string, found {m.Value.ValueKind}."
                );
            }

            metadata[m.Name] = m.Value.GetString()!;
        }
    }

    static SafeTensorsEntry ReadEntry(string name, JsonElement value, string path, long dataLength)
    {
        string where = $"{path}: tensor \"{name}\"";
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PonderException(
                $"{where}: entry must be an object with dtype, shape and data_offsets, found {value.ValueKind}."
            );
        }

        if (!value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new PonderException($"{where}: entry is missing \"dtype\" (a string such as \"F32\").");
        string dtype = dtypeEl.GetString()!;
        if (!SafeTensorsDType.TryParse(dtype, out var scalarType, out int elementSize))
        {
            throw new PonderException(
                $"{where}: unknown dtype \"{dtype}\"; supported: {string.Join(", ", SafeTensorsDType.Names)}."
            );
        }

        long[] shape = ReadLongs(value, "shape", where, count: null);
        long[] offsets = ReadLongs(value, "data_offsets", where, count: 2);
        long begin = offsets[0],
            end = offsets[1];
        if (end < begin)
            throw new PonderException($"{where}: data_offsets [{begin}, {end}] end before they begin.");
        if (end > dataLength)
        {
            throw new PonderException(
                $"{where}: data_offsets [{begin}, {end}] run past the data buffer ({dataLength} bytes); the "
                    + "file is truncated."
            );
        }

        long expected;
        try
        {
            expected = checked(shape.Aggregate(1L, (a, b) => a * b) * elementSize);
        }
        catch (OverflowException)
        {
            throw new PonderException($"{where}: shape [{string.Join(", ", shape)}] is too large.");
        }
        if (expected != end - begin)
        {
            throw new PonderException(
                $"{where}: data_offsets [{begin}, {end}] hold {end - begin} bytes but shape "
                    + $"[{string.Join(", ", shape)}] of {dtype} needs {expected}."
            );
        }

        return new SafeTensorsEntry(name, dtype, scalarType, shape, begin, end);
    }

    static long[] ReadLongs(JsonElement value, string field, string where, int? count)
    {
        string what = count is { } c ? $"an array of {c} non-negative integers" : "an array of non-negative integers";
        if (!value.TryGetProperty(field, out var el))
            throw new PonderException($"{where}: entry is missing \"{field}\" ({what}).");
        if (el.ValueKind != JsonValueKind.Array || (count is { } k && el.GetArrayLength() != k))
            throw new PonderException($"{where}: \"{field}\" must be {what}.");
        var result = new long[el.GetArrayLength()];
        int i = 0;
        foreach (var x in el.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out long v) || v < 0)
                throw new PonderException($"{where}: \"{field}\" must be {what}.");
            result[i++] = v;
        }
        return result;
    }
}
