using Ponder.Model;

namespace Ponder.Tests.Model;

public sealed class PresetsTests
{
    [Fact]
    public void Given_the_mini_preset_When_built_Then_it_has_the_documented_shape_and_about_0_8M_parameters()
    {
        var c = Presets.Get("mini", "qwen2", 261);

        // C = 128, L = 4, H = 4 (D = 32), K = 2, F = 384, vocabulary 261 padded to 320, tied.
        //   attention: q 128·128 + k, v 2·128·64 + o 128·128 = 49,152 (+ q/k/v biases 128 + 64 + 64 = 256)
        //   MLP 3·128·384 = 147,456; norms 2·128 = 256                          → per layer 197,120
        //   4 layers 788,480; embeddings 320·128 = 40,960; final norm 128       → 829,568
        Assert.Equal(
            (128, 4, 4, 2, 384, 320),
            (c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.KeyValueHeads, c.IntermediateSize, c.VocabSize)
        );
        Assert.Equal(829_568, c.ParameterCount);
    }

    [Fact]
    public void Given_every_preset_When_listed_Then_each_builds_and_they_grow_in_the_listed_order()
    {
        var sizes = Presets.Names.Select(n => Presets.Get(n, "llama", 261).ParameterCount).ToList();

        Assert.Equal(["tiny", "mini", "small"], Presets.Names);
        Assert.All(
            sizes.Zip(sizes.Skip(1)),
            pair => Assert.True(pair.First < pair.Second, $"{pair.First} ≥ {pair.Second}")
        );
    }

    [Fact]
    public void Given_an_unknown_preset_When_built_Then_the_error_lists_the_names()
    {
        var e = Assert.Throws<PonderException>(() => Presets.Get("medium", "qwen2", 261));

        Assert.StartsWith("--preset medium: unknown preset.", e.Message, StringComparison.Ordinal);
    }
}
