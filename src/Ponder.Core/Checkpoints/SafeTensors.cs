using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}</c>, then the raw
/// little-endian data buffer (offsets relative to its start). Tensor bytes are streamed from the file straight
/// into native tensor memory (and back), in chunks of at most 64 MiB, so multi-GB files load without large
/// managed arrays. Assumes a little-endian host (x64, arm64).
/// </summary>
public static class SafeTensors
{
    const int ChunkBytes = 1 << 26;

    /// <summary>
    /// Loads every tensor of <paramref name="path"/>. Tensors are created in the caller's current dispose scope
    /// (if any); the caller owns them.
    /// </summary>
    /// <param name="path">A .safetensors file.</param>
    /// <param name="convertTo">Target type for floating-point tensors (F16/BF16/F32/F64); integer and bool tensors
    /// keep their type. <value>The default value is null: keep each tensor's stored type.</value></param>
    /// <param name="device">Where the tensors end up. <value>The default value is null: the CPU.</value></param>
    public static Dictionary<string, Tensor> Read(string path, ScalarType? convertTo = null, Device? device = null) =>
        Read(path, convertTo, device, include: null);

    /// <summary>Like <see cref="Read(string, ScalarType?, Device?)"/>, loading only the tensors
    /// <paramref name="include"/> accepts.</summary>
    internal static Dictionary<string, Tensor> Read(
        string path,
        ScalarType? convertTo,
        Device? device,
        Func<string, bool>? include
    )
    {
        using var stream = Open(path);
        var header = SafeTensorsHeader.Read(stream, path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Tensors) // file order: sequential reads
            {
                if (include is not null && !include(entry.Name))
                    continue;
                stream.Position = header.DataStart + entry.Begin;
                result.Add(entry.Name, Load(stream, entry, convertTo, device, path));
            }
        }
        catch
        {
            foreach (var t in result.Values)
                t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>The <c>__metadata__</c> strings of <paramref name="path"/> (empty when absent).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => ReadHeader(path).Metadata;

    /// <summary>Names, dtypes, shapes and offsets of <paramref name="path"/>'s tensors, without reading their
    /// data.</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var stream = Open(path);
        return SafeTensorsHeader.Read(stream, path);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> atomically (temp file, flush, rename). Tensors are
    /// stored in ordinal name order, contiguous, copied to the CPU first; the JSON header is padded with spaces to a
    /// multiple of 8 bytes as the Hugging Face writer does. The caller's tensors are not modified or disposed.
    /// </summary>
    /// <param name="metadata">Stored as <c>__metadata__</c>. <value>The default value is null: no
    /// metadata.</value></param>
    public static void Write(
        string path,
        IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null
    )
    {
        ArgumentNullException.ThrowIfNull(tensors);
        string[] names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        byte[] header = BuildHeader(names, tensors, metadata);
        AtomicFile.Write(
            path,
            stream =>
            {
                stream.Write(BitConverter.GetBytes((ulong)header.Length));
                stream.Write(header);
                foreach (string name in names)
                    WriteData(stream, tensors[name]);
            }
        );
    }

    static FileStream Open(string path)
    {
        if (!File.Exists(path))
            throw new PonderException($"{path}: file not found.");
        return new FileStream(
            path,
            FileMode.Open,
            FileAccess.Read,
            FileShare.Read,
            bufferSize: 1,
            FileOptions.RandomAccess
        );
    }

    static Tensor Load(Stream stream, SafeTensorsEntry entry, ScalarType? convertTo, Device? device, string path)
    {
        var t = empty(entry.Shape.ToArray(), entry.ScalarType, CPU);
        try
        {
            Fill(t, stream, entry, path);
            var type = convertTo is { } c && SafeTensorsDType.IsFloatingPoint(entry.ScalarType) ? c : entry.ScalarType;
            var dev = device ?? CPU;
            if (type == entry.ScalarType && dev.type == DeviceType.CPU)
                return t;
            var moved = t.to(type, dev);
            if (!ReferenceEquals(moved, t))
                t.Dispose();
            return moved;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    /// <summary>Reads the tensor's bytes from the stream directly into its native storage.</summary>
    static void Fill(Tensor t, Stream stream, SafeTensorsEntry entry, string path)
    {
        try
        {
            if (entry.ByteSize == 0)
                return;
            if (entry.ByteSize <= ChunkBytes)
            {
                stream.ReadExactly(t.bytes);
                return;
            }
            ForEachChunk(
                t,
                entry.NumElements,
                SafeTensorsDType.SizeOf(entry.ScalarType),
                part => stream.ReadExactly(part.bytes)
            );
        }
        catch (EndOfStreamException e)
        {
            throw new PonderException(
                $"{path}: tensor \"{entry.Name}\": the file ended while reading its data (truncated).",
                e
            );
        }
    }

    static void WriteData(Stream stream, Tensor tensor)
    {
        using var detached = tensor.detach();
        var cpu = detached.device_type == DeviceType.CPU ? detached : detached.cpu();
        var contiguous = cpu.is_contiguous() ? cpu : cpu.contiguous();
        try
        {
            long bytes = contiguous.numel() * contiguous.ElementSize;
            if (bytes == 0)
                return;
            if (bytes <= ChunkBytes)
            {
                stream.Write(contiguous.bytes);
                return;
            }
            ForEachChunk(contiguous, contiguous.numel(), (int)contiguous.ElementSize, part => stream.Write(part.bytes));
        }
        finally
        {
            if (!ReferenceEquals(contiguous, cpu))
                contiguous.Dispose();
            if (!ReferenceEquals(cpu, detached))
                cpu.Dispose();
        }
    }

    /// <summary>Calls <paramref name="action"/> on consecutive ≤ 64 MiB views of a contiguous tensor (Span lengths are
    /// int).</summary>
    static void ForEachChunk(Tensor t, long numel, int elementSize, Action<Tensor> action)
    {
        long perChunk = ChunkBytes / elementSize;
        using var flat = t.view(-1);
        for (long start = 0; start < numel; start += perChunk)
        {
            using var part = flat.narrow(0, start, Math.Min(perChunk, numel - start));
            action(part);
        }
    }

    static byte[] BuildHeader(
        string[] names,
        IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata
    )
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (string name in names)
            {
                var t = tensors[name];
                string dtype = SafeTensorsDType.NameOf(t.dtype, name);
                long bytes = t.numel() * SafeTensorsDType.SizeOf(t.dtype);
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (long d in t.shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        int padding = (8 - (int)(buffer.Length % 8)) % 8;
        for (int i = 0; i < padding; i++)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
