using Ponder.LanguageModels;
using Ponder.Tests.Gguf;

namespace Ponder.Tests.Cli;

public sealed class ExportCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    static string SaveTinyModel(TempDir dir)
    {
        string path = dir.File("model");
        using var lm = LanguageModel.CreateFromScratch("tiny", "llama", seed: 1);
        lm.Save(path);
        return path;
    }

    [Fact]
    public void Given_a_model_When_exporting_gguf_Then_the_file_is_written_with_the_requested_type()
    {
        using var dir = new TempDir();
        string model = SaveTinyModel(dir);

        var (code, output, _) = Run("export", "gguf", "--model", model, "--out", dir.File("m.gguf"), "--type", "bf16");

        Assert.Equal(0, code);
        Assert.Contains("bf16", output, StringComparison.Ordinal);
        Assert.Equal(32u, new GgufReader(dir.File("m.gguf")).Get<uint>("general.file_type"));
    }

    [Theory]
    [InlineData("dir", "is a directory")]
    [InlineData("type", "--type q4: unknown GGUF tensor type")]
    [InlineData("peer", "--peer vllm: unknown peer")]
    public void Given_bad_export_input_Then_one_line_says_what_to_change(string what, string expected)
    {
        using var dir = new TempDir();
        string model = SaveTinyModel(dir);

        var (code, _, error) = what switch
        {
            "dir" => Run("export", "gguf", "--model", model, "--out", dir.Path),
            "type" => Run("export", "gguf", "--model", model, "--out", dir.File("m.gguf"), "--type", "q4"),
            _ => Run("bench", "generate", "--model", model, "--peer", "vllm"),
        };

        Assert.Equal(1, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }
}
