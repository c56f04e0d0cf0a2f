using Ponder.Benchmarks;

namespace Ponder.Tests.Benchmarks;

public sealed class GenerateMemoryTests
{
    [Fact]
    public void Given_a_model_shape_When_the_budget_is_computed_Then_each_part_is_its_hand_count()
    {
        // Llama tiny: C 64, F 128, H 4, K 2, D 16, 2 layers, V 97; float32; batch 8, prompt 10, 6 new, chunk 512.
        var config = TinyModels.Llama(kvHeads: 2);

        var m = GenerateMemory.For(config, parameters: 1_000, elementSize: 4, 8, 10, 6, prefillChunk: 512);

        Assert.Equal(4_000, m.WeightBytes);
        // K and V · 2 layers · 8 rows · 2 heads · 16 tokens · 16 dims · 4 bytes = 65,536.
        Assert.Equal(65_536, m.KvCacheBytes);
        // Activations per token: (3·64 + (4 + 2·2)·16 + 4·16 + 4·128)·4 = (192 + 128 + 64 + 512)·4 = 3,584; logits
        // 3·4·97 = 1,164. Prefill of one 10-token chunk: 10·3,584 + 1,164 + 4·10·10·4 = 38,604. Decode of 8 rows over
        // 16 keys: 8·(3,584 + 1,164 + 4·16·4) = 40,032. The larger is the decode.
        Assert.Equal(40_032, m.WorkspaceBytes);
        Assert.Equal(4_000 + 65_536 + 40_032, m.TotalBytes);
    }

    [Fact]
    public void Given_a_prompt_longer_than_the_chunk_When_the_budget_is_computed_Then_prefill_counts_one_chunk()
    {
        var config = TinyModels.Llama(kvHeads: 2);

        var whole = GenerateMemory.For(config, 1_000, 4, batch: 1, promptTokens: 64, newTokens: 2, prefillChunk: 512);
        var chunked = GenerateMemory.For(config, 1_000, 4, batch: 1, promptTokens: 64, newTokens: 2, prefillChunk: 16);

        // 64 tokens at once: 64·3,584 + 1,164 + 4·64·64·4 = 296,076; a 16-token chunk, whose queries read up to the
        // 64 prompt keys: 16·3,584 + 1,164 + 4·16·64·4 = 74,892. (Decode of one row: 3,584 + 1,164 + 4·66·4 = 5,804.)
        Assert.Equal(296_076, whole.WorkspaceBytes);
        Assert.Equal(74_892, chunked.WorkspaceBytes);
    }
}
