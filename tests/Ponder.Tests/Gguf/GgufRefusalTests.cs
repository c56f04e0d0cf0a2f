using Ponder.Checkpoints.Gguf;
using Ponder.Model;

namespace Ponder.Tests.Gguf;

/// <summary>What cannot be written, or expressed, is refused with a message naming what to change.</summary>
public sealed class GgufRefusalTests
{
    static void Export(ModelConfig c, string path)
    {
        using var model = TinyModels.Build(c);
        GgufExport.Write(
            path,
            c,
            model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value),
            ParityModels.ByteLevelVocabulary(c),
            GgufType.F32,
            "test"
        );
    }

    [Fact]
    public void Given_an_output_path_that_is_a_directory_Then_export_says_so_and_writes_nothing()
    {
        using var dir = new TempDir();

        var e = Assert.Throws<PonderException>(() => Export(TinyModels.Llama(vocab: 320), dir.Path));

        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Given_an_output_folder_below_a_file_Then_export_names_it()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("plain"), "x");

        var e = Assert.Throws<PonderException>(() =>
            Export(TinyModels.Llama(vocab: 320), Path.Combine(dir.File("plain"), "m.gguf"))
        );

        Assert.Contains("--out", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_qwen2_with_llama3_rope_scaling_Then_export_refuses_it()
    {
        var c = TinyModels.Qwen2(vocab: 320) with { RopeScaling = TinyModels.Llama3Scaling };

        var e = Assert.Throws<PonderException>(() => GgufFamily.For(c, "config.json"));

        Assert.Contains("rope_scaling \"llama3\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_family_llama_cpp_export_does_not_know_Then_it_lists_those_it_does()
    {
        var c = TinyModels.Llama() with { ModelType = "gemma3" };

        var e = Assert.Throws<PonderException>(() => GgufFamily.For(c, "config.json"));

        Assert.Contains("llama, qwen2, qwen3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_vocabulary_larger_than_the_embedding_Then_export_refuses_it()
    {
        var e = Assert.Throws<PonderException>(() => ParityModels.ByteLevelVocabulary(TinyModels.Llama(vocab: 97)));

        Assert.Contains("vocab_size is 97", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_failed_write_Then_the_old_file_is_untouched_and_no_temp_file_is_left()
    {
        using var dir = new TempDir();
        string path = dir.File("m.gguf");
        File.WriteAllText(path, "old");
        var c = TinyModels.Llama(vocab: 320);
        using var model = TinyModels.Build(c);
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        tensors["model.layers.0.unknown.weight"] = TorchSharp.torch.zeros(4);

        Assert.Throws<PonderException>(() =>
            GgufExport.Write(path, c, tensors, ParityModels.ByteLevelVocabulary(c), GgufType.F32, "t")
        );

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.EnumerateFiles(dir.Path));
    }

    [Theory]
    [InlineData("shape", "has shape [64, 32] but config.json implies [64, 64]")]
    [InlineData("missing", "model.layers.1.mlp.up_proj.weight is missing")]
    public void Given_tensors_that_do_not_match_the_config_Then_export_names_the_tensor(string what, string expected)
    {
        var c = TinyModels.Llama(vocab: 320);
        using var model = TinyModels.Build(c);
        using var dir = new TempDir();
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        if (what == "shape")
            tensors["model.layers.0.self_attn.q_proj.weight"] = TorchSharp.torch.zeros(64, 32);
        else
            tensors.Remove("model.layers.1.mlp.up_proj.weight");

        var e = Assert.Throws<PonderException>(() =>
            GgufExport.Write(dir.File("m.gguf"), c, tensors, ParityModels.ByteLevelVocabulary(c), GgufType.F32, "t")
        );

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
