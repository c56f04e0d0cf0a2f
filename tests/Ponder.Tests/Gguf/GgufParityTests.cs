using Ponder.Checkpoints.Gguf;
using Ponder.Model;
using Xunit.Abstractions;

namespace Ponder.Tests.Gguf;

/// <summary>
/// Ponder's forward against llama.cpp's on the same weights, exported to GGUF: llama.cpp is an implementation Ponder
/// did not write, so agreement checks the decoder, the export (names, RoPE layout, metadata) and the tokenizer ids.
/// </summary>
public sealed class GgufParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, WeightScale> Families =>
        new()
        {
            { "llama", WeightScale.Standard },
            { "llama", WeightScale.Stress },
            { "qwen2", WeightScale.Standard },
            { "qwen2", WeightScale.Stress },
        };

    static ModelConfig Config(string family) =>
        family switch
        {
            "llama" => TinyModels.Llama(vocab: ParityModels.Vocab),
            "qwen2" => TinyModels.Qwen2(vocab: ParityModels.Vocab),
            _ => throw new ArgumentOutOfRangeException(nameof(family)),
        };

    [Theory]
    [MemberData(nameof(Families))]
    public void Given_a_tiny_model_exported_as_f32_Then_llama_cpp_computes_the_same_logits_and_tokens(
        string family,
        WeightScale scale
    )
    {
        using var model = ParityModels.Build(Config(family), scale, seed: 7);

        var r = ParityModels.Compare(model, GgufType.F32, ParityModels.Prompt(seed: 3));

        output.WriteLine($"{family} {scale} f32: {r}");
        Assert.True(r.MaxLogitDiff < 1e-4, $"max |Δlogit| {r.MaxLogitDiff:E2}");
        Assert.Equal(r.Ponder, r.Peer);
    }
}
