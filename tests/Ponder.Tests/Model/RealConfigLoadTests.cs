using Ponder.Checkpoints;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Runtime;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Tests.Model;

/// <summary>
/// The public config.json files of real checkpoints, with weights the test makes (no model hub here). SmolLM2-135M is
/// built at full size; Qwen2.5-0.5B, Llama-3.2-1B and Qwen3-0.6B keep every dimension but only two layers, to stay
/// fast.
/// </summary>
[Trait(Lanes.Category, Lanes.Slow)]
public sealed class RealConfigLoadTests
{
    static ModelConfig Fixture(string name) =>
        ModelConfig.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "configs", name, "config.json"));

    [Theory]
    [InlineData("SmolLM2-135M", 0)]
    [InlineData("Qwen2.5-0.5B", 2)]
    [InlineData("Llama-3.2-1B", 2)]
    [InlineData("Qwen3-0.6B", 2)]
    public void Given_a_hugging_face_directory_with_a_real_config_Then_it_loads_in_bfloat16_and_generates(
        string name,
        int layers
    )
    {
        using var dir = new TempDir();
        var config = Fixture(name);
        if (layers > 0)
            config = config with { NumHiddenLayers = layers };
        float[] expected;
        using (var scope = NewDisposeScope())
        {
            using var source = new CausalLM(config, new DeviceOptions("cpu", "bfloat16"));
            ModelDirectory.SaveWeights(dir.Path, source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value));
            using var _ = no_grad();
            expected = source.Forward(tensor(new long[] { 1, 2, 3 }).unsqueeze(0))[0, -1, ..8].data<float>().ToArray();
        }
        File.WriteAllText(dir.File("config.json"), config.ToJson());
        TextTokenizer.CreateByteLevel().Save(dir.Path);

        using var lm = LanguageModel.Load(dir.Path, new DeviceOptions("cpu", "bfloat16"));

        Assert.Equal(config.ParameterCount, lm.Network.parameters().Sum(p => p.numel()));
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var logits = lm
                .Network.Forward(tensor(new long[] { 1, 2, 3 }).unsqueeze(0))[0, -1, ..8]
                .data<float>()
                .ToArray();
            Assert.Equal(expected, logits);
        }
        var c = lm.CreateGenerator()
            .Generate([new[] { 1, 2, 3 }], new SamplingOptions { Temperature = 0, MaxNewTokens = 3 })[0];
        Assert.Equal(3, c.TokenIds.Count);
    }

    [Fact]
    public void Given_weights_of_another_shape_Then_loading_names_the_tensor_and_both_shapes()
    {
        using var dir = new TempDir();
        var config = TinyModels.Llama();
        using (var scope = NewDisposeScope())
        using (var other = new CausalLM(config with { IntermediateSize = 96 }))
            ModelDirectory.SaveWeights(dir.Path, other.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value));
        File.WriteAllText(dir.File("config.json"), config.ToJson());
        TextTokenizer.CreateByteLevel().Save(dir.Path);

        var e = Assert.Throws<PonderException>(() => LanguageModel.Load(dir.Path));
        Assert.Contains(
            "model.layers.0.mlp.gate_proj.weight has shape [96, 64] but config.json implies [128, 64]",
            e.Message,
            StringComparison.Ordinal
        );
    }
}
