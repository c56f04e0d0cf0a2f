using Ponder.Model;
using static TorchSharp.torch;

namespace Ponder.Tests.Serving;

public sealed class KvCacheMergeTests : IDisposable
{
    readonly CausalLM model = TinyModels.Build(TinyModels.Qwen2(vocab: 97), seed: 3);

    public void Dispose() => model.Dispose();

    /// <summary>Prefills one prompt alone and decodes <paramref name="steps"/> fixed tokens; returns the cache and last
    /// logits.</summary>
    (KvCache Cache, Tensor Logits) Run(long[] prompt, long[] steps, int capacity)
    {
        var cache = model.NewCache(1, capacity);
        var logits = model
            .ForwardCached(tensor(prompt).unsqueeze(0), ones([1, prompt.Length], ScalarType.Bool), cache)
            .squeeze(1);
        foreach (long t in steps)
        {
            logits = model
                .ForwardCached(tensor(new[] { t }).view(1, 1), ones([1, 1], ScalarType.Bool), cache)
                .squeeze(1);
        }

        return (cache, logits);
    }

    [Fact]
    public void Given_a_running_row_and_a_fresh_shorter_prompt_When_merged_Then_both_rows_decode_as_they_would_alone()
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        // Given row A, 6 prompt tokens + 3 decoded (9 slots), and row B, a fresh 2-token prompt
        var (a, _) = Run([5, 6, 7, 8, 9, 10], [11, 12, 13], 32);
        var (b, _) = Run([20, 21], [], 8);

        // When they are merged (B is left-padded by 7 invalid slots) and both decode the same next tokens
        using var merged = KvCache.Merge(a, b, 24);
        var both = model
            .ForwardCached(tensor(new long[] { 14, 22 }).view(2, 1), ones([2, 1], ScalarType.Bool), merged)
            .squeeze(1);
        both = model
            .ForwardCached(tensor(new long[] { 15, 23 }).view(2, 1), ones([2, 1], ScalarType.Bool), merged)
            .squeeze(1);

        // Then each row's logits equal its logits alone
        var (_, aloneA) = Run([5, 6, 7, 8, 9, 10], [11, 12, 13, 14, 15], 32);
        var (_, aloneB) = Run([20, 21], [22, 23], 8);
        Assert.True(both[0].allclose(aloneA[0], rtol: 1e-4, atol: 1e-5));
        Assert.True(both[1].allclose(aloneB[0], rtol: 1e-4, atol: 1e-5));
        Assert.Equal(2, merged.BatchSize);
        Assert.Equal(11, merged.Length);
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public void Given_a_batch_whose_leading_slots_are_padding_in_every_row_When_merged_Then_those_slots_are_dropped()
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        // Given a two-row cache whose long row leaves the batch: the short row's left padding is now all-padding
        using var wide = model.NewCache(2, 16);
        var ids = tensor(new long[] { 1, 2, 3, 4, 5, 0, 0, 0, 6, 7 }).view(2, 5);
        var valid = tensor(new[] { true, true, true, true, true, false, false, false, true, true }).view(2, 5);
        model.ForwardCached(ids, valid, wide);
        wide.SelectRows([1]);
        var (fresh, _) = Run([8, 9, 10], [], 4);

        // When merged with a 3-token prompt
        using var merged = KvCache.Merge(wide, fresh, 8);

        // Then the merged cache holds 3 slots, not 5, and the short row still decodes as alone
        Assert.Equal(3, merged.Length);
        var next = model
            .ForwardCached(tensor(new long[] { 11, 11 }).view(2, 1), ones([2, 1], ScalarType.Bool), merged)
            .squeeze(1);
        var (_, alone) = Run([6, 7], [11], 4);
        Assert.True(next[0].allclose(alone[0], rtol: 1e-4, atol: 1e-5));
        fresh.Dispose();
    }
}
