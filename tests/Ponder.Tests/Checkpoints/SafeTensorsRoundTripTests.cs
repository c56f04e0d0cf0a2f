using System.Text;
using Ponder.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Checkpoints;

public sealed class SafeTensorsRoundTripTests
{
    /// <summary>A deterministic tensor of the given safetensors dtype: seeded normals for floats, a ramp for
    /// integers.</summary>
    static Tensor Sample(string dtype, long[] shape, int seed)
    {
        Assert.True(SafeTensorsDType.TryParse(dtype, out var type, out _));
        var gen = new Generator((ulong)seed);
        if (SafeTensorsDType.IsFloatingPoint(type))
        {
            using var x = randn(shape, generator: gen);
            return x.to(type);
        }
        long n = shape.Aggregate(1L, (a, b) => a * b);
        using var ramp = arange(n, ScalarType.Int64);
        using var shaped = ramp.reshape(shape);
        if (type == ScalarType.Bool)
            return shaped.remainder(3).eq(0);
        using var centred = type == ScalarType.Byte ? shaped.remainder(256) : shaped.sub(n / 2).mul(7);
        return centred.to(type);
    }

    static byte[] Bytes(Tensor t)
    {
        using var c = t.contiguous();
        return c.bytes.ToArray();
    }

    [Theory]
    [InlineData("F32")]
    [InlineData("BF16")]
    [InlineData("F16")]
    [InlineData("F64")]
    [InlineData("I64")]
    [InlineData("I32")]
    [InlineData("I16")]
    [InlineData("I8")]
    [InlineData("U8")]
    [InlineData("BOOL")]
    public void Given_tensors_of_one_dtype_When_written_and_read_Then_bits_shapes_and_metadata_are_identical(
        string dtype
    )
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["w.matrix"] = Sample(dtype, [3, 5], seed: 1),
            ["w.vector"] = Sample(dtype, [7], seed: 2),
            ["w.scalar"] = Sample(dtype, [], seed: 3),
            ["w.empty"] = Sample(dtype, [0, 4], seed: 4),
        };
        var meta = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓" };
        string path = dir.File("a.safetensors");

        SafeTensors.Write(path, tensors, meta);
        var back = SafeTensors.Read(path);

        Assert.Equal(tensors.Keys.Order(), back.Keys.Order());
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.dtype, back[name].dtype);
            Assert.Equal(t.shape, back[name].shape);
            Assert.Equal(Bytes(t), Bytes(back[name]));
        }
        Assert.Equal(meta, SafeTensors.ReadMetadata(path));
    }

    [Fact]
    public void Given_a_hand_built_file_with_one_F32_tensor_When_read_Then_values_are_1_and_2()
    {
        // Given: the format written byte by byte, independent of our writer.
        using var dir = new TempDir();
        string json = """{"__metadata__":{"k":"v"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        while (json.Length % 8 != 0)
            json += " ";
        var file = new List<byte>();
        file.AddRange(BitConverter.GetBytes((ulong)json.Length)); // u64 little-endian
        file.AddRange(Encoding.UTF8.GetBytes(json));
        file.AddRange([0x00, 0x00, 0x80, 0x3F]); // 1.0f
        file.AddRange([0x00, 0x00, 0x00, 0x40]); // 2.0f
        string path = dir.File("golden.safetensors");
        File.WriteAllBytes(path, file.ToArray());

        // When
        using var scope = NewDisposeScope();
        var back = SafeTensors.Read(path);

        // Then
        Assert.Equal(ScalarType.Float32, back["x"].dtype);
        Assert.Equal([2L], back["x"].shape);
        Assert.Equal([1.0f, 2.0f], back["x"].data<float>().ToArray());
        Assert.Equal("v", SafeTensors.ReadMetadata(path)["k"]);
    }

    [Fact]
    public void Given_two_tensors_When_written_Then_the_file_has_exactly_the_HF_layout()
    {
        // Given: "b" inserted before "a"; the writer sorts names, puts __metadata__ first and pads with spaces.
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = tensor(new long[] { 5 }),
            ["a"] = tensor(new float[] { 1f, 2f }),
        };
        string path = dir.File("layout.safetensors");

        SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });

        string json =
            """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}}""";
        while (json.Length % 8 != 0)
            json += " ";
        var expected = new List<byte>();
        expected.AddRange(BitConverter.GetBytes((ulong)json.Length));
        expected.AddRange(Encoding.UTF8.GetBytes(json));
        expected.AddRange([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40]);
        expected.AddRange([5, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Given_a_file_When_the_header_is_read_Then_names_dtypes_shapes_and_offsets_are_reported_without_data()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("h.safetensors");
        SafeTensors.Write(
            path,
            new Dictionary<string, Tensor> { ["emb"] = zeros(4, 3, dtype: ScalarType.BFloat16), ["bias"] = zeros(3) }
        );

        var header = SafeTensors.ReadHeader(path);

        // bias (F32, 12 bytes) sorts first, then emb (BF16, 24 bytes).
        Assert.Equal(["bias", "emb"], header.Tensors.Select(t => t.Name));
        Assert.Equal(("BF16", ScalarType.BFloat16), (header.Tensors[1].DType, header.Tensors[1].ScalarType));
        Assert.Equal([4L, 3L], header.Tensors[1].Shape);
        Assert.Equal((12L, 36L), (header.Tensors[1].Begin, header.Tensors[1].End));
        Assert.Equal(36, header.TotalTensorBytes);
        Assert.Equal(0, (header.DataStart - 8) % 8);
        Assert.Empty(header.Metadata);
    }

    [Fact]
    public void Given_a_BF16_file_When_read_with_convertTo_F32_Then_floats_convert_and_integers_keep_their_type()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("mixed.safetensors");
        SafeTensors.Write(
            path,
            new Dictionary<string, Tensor>
            {
                ["w"] = tensor(new float[] { 0.5f, -2f }).to(ScalarType.BFloat16),
                ["ids"] = tensor(new long[] { 1, 2, 3 }),
            }
        );

        var back = SafeTensors.Read(path, convertTo: ScalarType.Float32, device: CPU);

        Assert.Equal(ScalarType.Float32, back["w"].dtype);
        Assert.Equal([0.5f, -2f], back["w"].data<float>().ToArray());
        Assert.Equal(ScalarType.Int64, back["ids"].dtype);
    }

    [Trait(Lanes.Category, Lanes.Slow)]
    [Fact]
    public void Given_a_tensor_larger_than_one_64MiB_chunk_When_round_tripped_Then_every_byte_survives()
    {
        // 2^26 + 1000 bytes exercises the chunked path (Span lengths are int, chunks are 64 MiB).
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var big = randint(0, 256, [(1L << 26) + 1000], dtype: ScalarType.Byte, generator: new Generator(7));
        string path = dir.File("big.safetensors");

        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["big"] = big });
        var back = SafeTensors.Read(path);

        Assert.True(back["big"].equal(big).all().item<bool>());
    }

    [Fact]
    public void Given_a_non_contiguous_tensor_When_written_Then_its_logical_values_are_stored()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var t = arange(6, dtype: ScalarType.Float32).reshape(2, 3).t(); // (3, 2), strides (1, 3)
        string path = dir.File("t.safetensors");

        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["t"] = t });

        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], SafeTensors.Read(path)["t"].data<float>().ToArray());
    }
}
