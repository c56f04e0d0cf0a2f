using System.Text;

namespace Ponder.Checkpoints.Gguf;

/// <summary>
/// A GGUF v3 file in the making (little-endian): magic, version, tensor count, key-value count, the key-values, the
/// tensor infos (dimensions in reversed PyTorch order, offsets relative to the data section), zero padding to the
/// alignment, then each tensor's data padded to the alignment. Tensor data is produced while writing, one tensor at a
/// time, so a model never needs a second copy in memory.
/// </summary>
public sealed class GgufWriter
{
    /// <summary>GGUF's default <c>general.alignment</c>.</summary>
    public const int Alignment = 32;

    enum ValueType : uint
    {
        UInt32 = 4,
        Int32 = 5,
        Float32 = 6,
        Bool = 7,
        String = 8,
        Array = 9,
    }

    sealed record Tensor(string Name, long[] Shape, GgufType Type, long Bytes, Action<Stream> WriteData);

    readonly List<(string Key, Action<BinaryWriter> Write)> values = [];
    readonly List<Tensor> tensors = [];

    /// <summary>The keys added so far, in order.</summary>
    public IEnumerable<string> Keys => values.Select(v => v.Key);

    public void AddUInt32(string key, uint value) => Add(key, ValueType.UInt32, w => w.Write(value));

    public void AddFloat32(string key, float value) => Add(key, ValueType.Float32, w => w.Write(value));

    public void AddBool(string key, bool value) => Add(key, ValueType.Bool, w => w.Write((byte)(value ? 1 : 0)));

    public void AddString(string key, string value) => Add(key, ValueType.String, w => WriteString(w, value));

    public void AddStrings(string key, IReadOnlyList<string> items) =>
        Add(
            key,
            ValueType.Array,
            w =>
            {
                w.Write((uint)ValueType.String);
                w.Write((ulong)items.Count);
                foreach (string s in items)
                    WriteString(w, s);
            }
        );

    public void AddInt32s(string key, IReadOnlyList<int> items) =>
        Add(
            key,
            ValueType.Array,
            w =>
            {
                w.Write((uint)ValueType.Int32);
                w.Write((ulong)items.Count);
                foreach (int i in items)
                    w.Write(i);
            }
        );

    void Add(string key, ValueType type, Action<BinaryWriter> write)
    {
        if (values.Any(v => v.Key == key))
            throw new InvalidOperationException($"GGUF key {key} added twice");
        values.Add((key, Typed));

        void Typed(BinaryWriter w)
        {
            w.Write((uint)type);
            write(w);
        }
    }

    /// <summary>Adds a tensor of PyTorch shape <paramref name="shape"/> whose data <paramref name="writeData"/> writes
    /// (exactly the bytes <paramref name="type"/> takes for that shape) when the file is written.</summary>
    public void AddTensor(string name, long[] shape, GgufType type, Action<Stream> writeData)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long rows = shape.Length == 0 ? 1 : shape[..^1].Aggregate(1L, (a, b) => a * b);
        long columns = shape.Length == 0 ? 1 : shape[^1];
        if (type == GgufType.Q8 && columns % GgufTypes.Q8Block != 0)
            throw new ArgumentException($"{name}: Q8_0 needs rows that are a multiple of {GgufTypes.Q8Block}");
        tensors.Add(new Tensor(name, shape, type, rows * GgufTypes.RowBytes(type, columns), writeData));
    }

    /// <summary>Writes the whole file to <paramref name="stream"/>.</summary>
    public void Write(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)values.Count);
        foreach (var (key, write) in values)
        {
            WriteString(w, key);
            write(w);
        }
        long offset = 0;
        foreach (var t in tensors)
        {
            WriteString(w, t.Name);
            w.Write((uint)Math.Max(t.Shape.Length, 1));
            foreach (long d in t.Shape.Length == 0 ? [1L] : t.Shape.Reverse())
                w.Write((ulong)d);
            w.Write((uint)t.Type);
            w.Write((ulong)offset);
            offset += Padded(t.Bytes);
        }
        Pad(w, w.BaseStream.Position);
        w.Flush();
        foreach (var t in tensors)
        {
            long start = stream.Position;
            t.WriteData(stream);
            long written = stream.Position - start;
            if (written != t.Bytes)
                throw new InvalidOperationException($"{t.Name}: wrote {written} bytes, expected {t.Bytes}");
            Pad(w, t.Bytes);
            w.Flush();
        }
    }

    static long Padded(long n) => (n + Alignment - 1) / Alignment * Alignment;

    static void Pad(BinaryWriter w, long length)
    {
        for (long i = length; i < Padded(length); i++)
            w.Write((byte)0);
    }

    static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
