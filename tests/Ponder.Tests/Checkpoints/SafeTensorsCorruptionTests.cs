using System.Text;
using Ponder.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Checkpoints;

/// <summary>Every malformed file is a one-line <see cref="PonderException"/> naming the file (and the tensor where one
/// is at fault).</summary>
public sealed class SafeTensorsCorruptionTests
{
    /// <summary>Builds a file from a header string and a data buffer, padding nothing: the test controls every
    /// byte.</summary>
    static string Build(TempDir dir, string name, string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new List<byte>();
        bytes.AddRange(BitConverter.GetBytes((ulong)json.Length));
        bytes.AddRange(json);
        bytes.AddRange(new byte[dataBytes]);
        string path = dir.File(name);
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    static PonderException ReadFails(string path)
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<PonderException>(() => SafeTensors.Read(path));
        Assert.Contains(Path.GetFileName(path), e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void Given_a_file_shorter_than_8_bytes_When_read_Then_the_message_says_it_is_too_short()
    {
        using var dir = new TempDir();
        string path = dir.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        Assert.Contains("shorter than the 8-byte", ReadFails(path).Message);
    }

    [Fact]
    public void Given_a_header_length_past_the_end_When_read_Then_the_message_says_so()
    {
        using var dir = new TempDir();
        string path = dir.File("long-header.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1000UL), .. "{}"u8.ToArray()]);
        Assert.Contains("runs past the end of the file", ReadFails(path).Message);
    }

    [Theory]
    [InlineData("{\"x\": ", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"x\": 3}", "entry must be an object")]
    [InlineData("{\"__metadata__\": {\"a\": 1}}", "must be a string")]
    public void Given_a_malformed_header_When_read_Then_the_problem_is_named(string header, string expected)
    {
        using var dir = new TempDir();
        Assert.Contains(expected, ReadFails(Build(dir, "bad-json.safetensors", header, 0)).Message);
    }

    [Theory]
    [InlineData("""{"w.q": {"shape": [2], "data_offsets": [0, 8]}}""", "missing \"dtype\"")]
    [InlineData("""{"w.q": {"dtype": "F32", "data_offsets": [0, 8]}}""", "missing \"shape\"")]
    [InlineData("""{"w.q": {"dtype": "F32", "shape": [2]}}""", "missing \"data_offsets\"")]
    [InlineData(
        """{"w.q": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}""",
        "\"data_offsets\" must be an array of 2"
    )]
    [InlineData("""{"w.q": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}""", "\"shape\" must be an array")]
    [InlineData("""{"w.q": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 8]}}""", "unknown dtype \"Q4\"")]
    [InlineData(
        """{"w.q": {"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}}""",
        "run past the data buffer (8 bytes)"
    )]
    [InlineData("""{"w.q": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}""", "end before they begin")]
    [InlineData(
        """{"w.q": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""",
        "hold 8 bytes but shape [3] of F32 needs 12"
    )]
    public void Given_a_bad_tensor_entry_When_read_Then_the_message_names_the_file_the_tensor_and_the_problem(
        string header,
        string expected
    )
    {
        using var dir = new TempDir();
        var e = ReadFails(Build(dir, "bad-entry.safetensors", header, 8));
        Assert.Contains("\"w.q\"", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Given_two_tensors_sharing_bytes_When_read_Then_the_overlap_is_reported()
    {
        using var dir = new TempDir();
        string header =
            """{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""";
        var e = ReadFails(Build(dir, "overlap.safetensors", header, 12));
        Assert.Contains("\"b\"", e.Message);
        Assert.Contains("overlaps", e.Message);
    }

    [Fact]
    public void Given_a_missing_file_When_read_Then_the_message_says_not_found()
    {
        using var dir = new TempDir();
        Assert.Contains("not found", ReadFails(dir.File("nope.safetensors")).Message);
    }

    [Fact]
    public void Given_a_complex_tensor_When_written_Then_it_is_refused_and_no_file_or_temp_file_remains()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("c.safetensors");

        var e = Assert.Throws<PonderException>(() =>
            SafeTensors.Write(
                path,
                new Dictionary<string, Tensor> { ["z"] = zeros(2, dtype: ScalarType.ComplexFloat32) }
            )
        );

        Assert.Contains("\"z\"", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Given_an_existing_file_When_overwritten_Then_the_new_content_replaces_it_and_no_temp_file_remains()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        string path = dir.File("w.safetensors");
        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["old"] = zeros(3) });

        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["new"] = ones(2) });

        Assert.Equal(["new"], SafeTensors.Read(path).Keys);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }
}
