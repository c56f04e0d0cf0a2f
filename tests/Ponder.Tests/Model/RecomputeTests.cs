using Ponder.Model;
using Ponder.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Model;

/// <summary>Recomputing in the backward pass (layers; logits chunks) gives the plain backward's gradients.</summary>
public sealed class RecomputeTests
{
    static readonly long[] Ids = [5, 17, 42, 9, 7, 3, 11, 64, 2, 8, 13, 21];

    /// <summary>The gradients of Σ log p(next tokens) by parameter name (adapters included), with checkpointing on or
    /// off.</summary>
    static Dictionary<string, float[]> Gradients(bool checkpointing, bool lora)
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Build(TinyModels.Qwen2(), seed: 4);
        if (lora)
        {
            var adapter = model.AttachAdapter(new LoraOptions { Rank = 2 }, seed: 1);
            using var _ = no_grad();
            foreach (var (_, p) in adapter.Parameters)
                p.normal_(0, 0.1, new Generator(7)); // non-zero B, so every adapter weight gets a gradient
        }
        model.train();
        model.GradientCheckpointing = checkpointing;
        var ids = tensor(Ids, [2, 6]);
        TokenLogprobs.Compute(model, ids, null).sum().backward();
        var named = lora
            ? model.Adapter!.Parameters
            : model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        return named.ToDictionary(p => p.Item1, p => p.Item2.grad!.data<float>().ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Given_checkpointing_Then_every_gradient_equals_the_plain_backward(bool lora)
    {
        var plain = Gradients(checkpointing: false, lora);
        var recomputed = Gradients(checkpointing: true, lora);
        Assert.Equal(plain.Keys, recomputed.Keys);
        foreach (var (name, g) in plain)
        {
            Assert.True(g.Any(v => v != 0), $"{name} got no gradient");
            double worst = g.Zip(recomputed[name], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= 1e-6, $"{name}: largest difference {worst}");
        }
    }

    [Fact]
    public void Given_lora_dropout_Then_checkpointing_is_refused_with_the_reason()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2());
        model.AttachAdapter(new LoraOptions { Rank = 2, Dropout = 0.1 }, seed: 1);
        var e = Assert.Throws<PonderException>(() => model.GradientCheckpointing = true);
        Assert.Contains("--lora-dropout 0", e.Message);
    }

    [Fact]
    public void Given_logits_in_chunks_Then_log_probs_entropies_and_gradients_equal_the_whole()
    {
        // 2 rows × 5 predicted positions = 10 positions; chunks of 3 leave a last chunk of 1.
        (float[] Logprobs, float[] Entropy, float[] Grad) Run(int chunk)
        {
            using var scope = NewDisposeScope();
            using var model = TinyModels.Build(TinyModels.Llama(), seed: 4); // untied: lm_head gets its own gradient
            model.train();
            var ids = tensor(Ids, [2, 6]);
            var (lp, entropy) = TokenLogprobs.ComputeWithEntropy(model, ids, null, temperature: 0.7, chunk);
            (lp * tensor(new float[] { 1, -2, 3, 0.5f, 1, 1, 1, -1, 2, 1 }, [2, 5])).sum().backward();
            var lmHead = model.named_parameters().Single(p => p.name == "lm_head.weight").parameter;
            var layer = model.named_parameters().Single(p => p.name == "model.layers.0.mlp.up_proj.weight").parameter;
            return (
                lp.data<float>().ToArray(),
                entropy.data<float>().ToArray(),
                [.. lmHead.grad!.data<float>().ToArray(), .. layer.grad!.data<float>().ToArray()]
            );
        }

        var whole = Run(0);
        var chunked = Run(3);
        Assert.True(whole.Logprobs.Zip(chunked.Logprobs, (a, b) => Math.Abs(a - b)).Max() <= 1e-6);
        // Entropies (about 4.3 here) are sums over the vocabulary whose float32 order differs by shape: relative 1e-6.
        Assert.True(whole.Entropy.Zip(chunked.Entropy, (a, b) => Math.Abs(a - b)).Max() <= 1e-5);
        // Gradients up to about 10 here, summed in another order per chunk shape (and per thread count): float32's
        // 1.2e-7 relative rounding makes 1e-6 of the largest the bound, not 1e-6 absolute.
        double worst = whole.Grad.Zip(chunked.Grad, (a, b) => Math.Abs(a - b)).Max();
        double largest = whole.Grad.Max(Math.Abs);
        Assert.True(worst <= 1e-6 * Math.Max(1, largest), $"gradient differs by {worst}; max |g| {largest}");
        Assert.Contains(whole.Grad, g => g != 0);
    }
}
