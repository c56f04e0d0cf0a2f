using Ponder.Checkpoints.Gguf;
using Ponder.Model;
using Xunit.Abstractions;

namespace Ponder.Tests.Gguf;

/// <summary>
/// Parity with llama.cpp at the shapes of real checkpoints (their public config.json files, random N(0, 0.02)
/// weights, the byte-level vocabulary padded to their embedding rows): SmolLM2-135M (llama, 9 heads of 64, GQA 3),
/// Qwen2.5-0.5B (qwen2, q/k/v bias, 14 heads), Llama-3.2-1B (llama3 rope scaling, 128k vocabulary) and Qwen3-0.6B
/// (qwen3: per-head q/k RMSNorm, head_dim 128 with 16 heads over a hidden size of 1024).
/// </summary>
[Trait(Lanes.Category, Lanes.Slow)]
public sealed class GgufRealShapeParityTests(ITestOutputHelper output)
{
    static ModelConfig Fixture(string name) =>
        ModelConfig.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "configs", name, "config.json")) with
        {
            TorchDtype = "float32",
        };

    [Theory]
    [InlineData("SmolLM2-135M")]
    [InlineData("Qwen2.5-0.5B")]
    [InlineData("Llama-3.2-1B")]
    [InlineData("Qwen3-0.6B")]
    public void Given_a_real_shape_model_exported_as_f32_Then_llama_cpp_computes_the_same_logits_and_tokens(string name)
    {
        var config = Fixture(name);
        using var model = ParityModels.Build(config, WeightScale.Standard, seed: 11);
        int[] prompt = new Random(5).GetItems(Enumerable.Range(0, config.VocabSize).ToArray(), 32);

        var r = ParityModels.Compare(model, GgufType.F32, prompt);

        output.WriteLine($"{name} f32: {r}");
        Assert.True(r.MaxLogitDiff < 1e-4, $"max |Δlogit| over all positions {r.MaxLogitDiff:E2}");
        Assert.True(r.MaxLogProbDiff < 1e-4, $"max |Δlog p| {r.MaxLogProbDiff:E2}");
        Assert.Equal(r.Ponder, r.Peer);
    }
}
