using System.Text.Json;
using Ponder.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Checkpoints;

public sealed class ModelDirectoryTests
{
    static string FixtureConfig =>
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "configs", "SmolLM2-135M", "config.json");

    /// <summary>A model directory with a real config.json and no weights yet.</summary>
    static TempDir NewModelDir()
    {
        var dir = new TempDir();
        File.Copy(FixtureConfig, dir.File("config.json"));
        return dir;
    }

    /// <summary>Five tensors of 4·6·4 = 96 bytes each (480 bytes total), seeded.</summary>
    static Dictionary<string, Tensor> Weights()
    {
        var gen = new Generator(42);
        return new[]
        {
            "model.embed_tokens.weight",
            "model.layers.0.mlp.up_proj.weight",
            "model.layers.0.self_attn.q_proj.weight",
            "model.layers.1.mlp.up_proj.weight",
            "model.norm.weight",
        }.ToDictionary(n => n, _ => randn([4, 6], generator: gen));
    }

    static void AssertSame(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, t) in expected)
            Assert.True(t.equal(actual[name]).all().item<bool>(), name);
    }

    [Fact]
    public void Given_weights_under_the_shard_limit_When_saved_Then_one_model_safetensors_round_trips_with_format_pt()
    {
        using var dir = NewModelDir();
        using var scope = NewDisposeScope();
        var weights = Weights();

        ModelDirectory.SaveWeights(dir.Path, weights);
        var back = ModelDirectory.LoadWeights(dir.Path);

        AssertSame(weights, back);
        Assert.False(File.Exists(dir.File(ModelDirectory.IndexFile)));
        Assert.Equal("pt", SafeTensors.ReadMetadata(dir.File("model.safetensors"))["format"]);
    }

    [Fact]
    public void Given_a_200_byte_shard_limit_When_saved_Then_HF_named_shards_and_an_index_are_written_and_load_back()
    {
        // 96-byte tensors, limit 200: two per shard → 3 shards (2, 2, 1).
        using var dir = NewModelDir();
        using var scope = NewDisposeScope();
        var weights = Weights();

        ModelDirectory.SaveWeights(dir.Path, weights, maxShardBytes: 200);

        Assert.False(File.Exists(dir.File("model.safetensors")));
        for (int i = 1; i <= 3; i++)
            Assert.True(File.Exists(dir.File($"model-0000{i}-of-00003.safetensors")));
        using var index = JsonDocument.Parse(File.ReadAllText(dir.File(ModelDirectory.IndexFile)));
        Assert.Equal(480, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        Assert.Equal(
            "model-00003-of-00003.safetensors",
            index.RootElement.GetProperty("weight_map").GetProperty("model.norm.weight").GetString()
        );
        AssertSame(weights, ModelDirectory.LoadWeights(dir.Path));
    }

    [Fact]
    public void Given_a_sharded_save_When_saved_again_as_one_file_Then_the_index_and_shards_are_removed()
    {
        using var dir = NewModelDir();
        using var scope = NewDisposeScope();
        ModelDirectory.SaveWeights(dir.Path, Weights(), maxShardBytes: 200);

        ModelDirectory.SaveWeights(dir.Path, Weights());

        Assert.Equal(
            ["config.json", "model.safetensors"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order()
        );
    }

    [Fact]
    public void Given_a_bf16_checkpoint_When_loaded_with_dtype_float32_Then_tensors_are_float32()
    {
        using var dir = NewModelDir();
        using var scope = NewDisposeScope();
        ModelDirectory.SaveWeights(dir.Path, Weights().ToDictionary(p => p.Key, p => p.Value.to(ScalarType.BFloat16)));

        var back = ModelDirectory.LoadWeights(dir.Path, ScalarType.Float32, CPU);

        Assert.All(back.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
    }

    [Fact]
    public void Given_a_missing_shard_When_loaded_Then_the_message_names_the_index_and_the_shard()
    {
        using var dir = NewModelDir();
        using var scope = NewDisposeScope();
        ModelDirectory.SaveWeights(dir.Path, Weights(), maxShardBytes: 200);
        File.Delete(dir.File("model-00002-of-00003.safetensors"));

        var e = Assert.Throws<PonderException>(() => ModelDirectory.LoadWeights(dir.Path));

        Assert.Contains(ModelDirectory.IndexFile, e.Message);
        Assert.Contains("\"model-00002-of-00003.safetensors\"", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void Given_an_index_naming_a_tensor_its_shard_lacks_When_loaded_Then_the_shard_and_tensor_are_named()
    {
        using var dir = NewModelDir();
        using var scope = NewDisposeScope();
        ModelDirectory.SaveWeights(dir.Path, Weights(), maxShardBytes: 200);
        string indexPath = dir.File(ModelDirectory.IndexFile);
        File.WriteAllText(
            indexPath,
            File.ReadAllText(indexPath)
                .Replace(
                    "\"model.norm.weight\"",
                    "\"ghost.weight\": \"model-00003-of-00003.safetensors\", \"model.norm.weight\""
                )
        );

        var e = Assert.Throws<PonderException>(() => ModelDirectory.LoadWeights(dir.Path));

        Assert.Contains("model-00003-of-00003.safetensors", e.Message);
        Assert.Contains("\"ghost.weight\"", e.Message);
    }

    [Fact]
    public void Given_no_directory_When_loaded_Then_the_message_says_the_directory_is_not_found()
    {
        var e = Assert.Throws<PonderException>(() => ModelDirectory.LoadWeights("/nonexistent/ponder-model"));
        Assert.Contains("/nonexistent/ponder-model: model directory not found", e.Message);
    }

    [Fact]
    public void Given_a_directory_without_config_json_When_loaded_Then_the_message_asks_for_config_json()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<PonderException>(() => ModelDirectory.LoadWeights(dir.Path));
        Assert.Contains("config.json not found", e.Message);
    }

    [Fact]
    public void Given_a_directory_without_weights_When_loaded_Then_the_message_names_both_layouts()
    {
        using var dir = NewModelDir();
        var e = Assert.Throws<PonderException>(() => ModelDirectory.LoadWeights(dir.Path));
        Assert.Contains("model.safetensors or model.safetensors.index.json", e.Message);
    }

    [Fact]
    public void Given_a_directory_without_generation_config_When_loaded_Then_config_parses_and_generation_is_null()
    {
        using var dir = NewModelDir();
        Assert.Equal(576, ModelDirectory.LoadConfig(dir.Path).HiddenSize);
        Assert.Null(ModelDirectory.LoadGenerationConfig(dir.Path));
    }
}
