using System.Text;

namespace Ponder.Tests.Gguf;

/// <summary>A GGUF file read back for tests: key-values (arrays as object[]), tensor infos and raw tensor
/// bytes.</summary>
sealed class GgufReader
{
    public sealed record TensorInfo(string Name, long[] Dims, uint Type, ulong Offset);

    public Dictionary<string, object> Values { get; } = [];
    public List<TensorInfo> Tensors { get; } = [];
    public uint Version { get; }
    readonly byte[] bytes;
    readonly long dataStart;

    public GgufReader(string path)
    {
        bytes = File.ReadAllBytes(path);
        using var r = new BinaryReader(new MemoryStream(bytes));
        Assert.Equal("GGUF", Encoding.ASCII.GetString(r.ReadBytes(4)));
        Version = r.ReadUInt32();
        ulong tensors = r.ReadUInt64(),
            kvs = r.ReadUInt64();
        for (ulong i = 0; i < kvs; i++)
        {
            string key = ReadString(r);
            Values[key] = ReadValue(r, r.ReadUInt32());
        }
        for (ulong i = 0; i < tensors; i++)
        {
            string name = ReadString(r);
            var dims = Enumerable.Range(0, (int)r.ReadUInt32()).Select(_ => (long)r.ReadUInt64()).ToArray();
            Tensors.Add(new TensorInfo(name, dims, r.ReadUInt32(), r.ReadUInt64()));
        }
        dataStart = (r.BaseStream.Position + 31) / 32 * 32;
    }

    public T Get<T>(string key) => (T)Values[key];

    public TensorInfo Tensor(string name) => Tensors.Single(t => t.Name == name);

    public ReadOnlySpan<byte> Data(string name, int length) =>
        bytes.AsSpan((int)(dataStart + (long)Tensor(name).Offset), length);

    public float[] Floats(string name)
    {
        var t = Tensor(name);
        Assert.Equal(0u, t.Type);
        int n = (int)t.Dims.Aggregate(1L, (a, b) => a * b);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Data(name, 4 * n)).ToArray();
    }

    static string ReadString(BinaryReader r) => Encoding.UTF8.GetString(r.ReadBytes((int)r.ReadUInt64()));

    static object ReadValue(BinaryReader r, uint type) =>
        type switch
        {
            4 => r.ReadUInt32(),
            5 => r.ReadInt32(),
            6 => r.ReadSingle(),
            7 => r.ReadByte() != 0,
            8 => ReadString(r),
            9 => ReadArray(r),
            10 => r.ReadUInt64(),
            _ => throw new InvalidDataException($"GGUF value type {type}"),
        };

    static object[] ReadArray(BinaryReader r)
    {
        uint type = r.ReadUInt32();
        ulong count = r.ReadUInt64();
        var items = new object[count];
        for (ulong i = 0; i < count; i++)
            items[i] = ReadValue(r, type);
        return items;
    }
}
