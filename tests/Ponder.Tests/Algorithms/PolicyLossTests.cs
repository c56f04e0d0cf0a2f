using Ponder.Algorithms;
using Ponder.Runtime;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Tests.Algorithms;

public sealed class PolicyLossTests
{
    static Tensor T(params float[] v) => tensor(v);

    static Tensor T2(int rows, params float[] v) => tensor(v, [rows, v.Length / rows]);

    [Fact]
    public void Given_a_ratio_above_one_Then_clip_higher_clips_only_above_one_plus_eps_high()
    {
        using var scope = NewDisposeScope();
        // log-ratio 0.3 → ρ = e^0.3 ≈ 1.349859. Positive advantage 1: symmetric ε 0.2 clips to 1.2; clip-higher
        // ε_high 0.28 clips to 1.28. Loss = −min(ρ·1, clip(ρ)·1) = −1.2 and −1.28.
        var lp = T2(1, 0.3f);
        var old = T2(1, 0f);
        var (sym, symClipped) = PolicyMath.ClippedSurrogate(lp, old, T(1), 0.2, 0.2);
        var (high, _) = PolicyMath.ClippedSurrogate(lp, old, T(1), 0.2, 0.28);
        Assert.Equal(-1.2f, sym.item<float>(), 5);
        Assert.Equal(-1.28f, high.item<float>(), 5);
        Assert.Equal(1f, symClipped.item<float>());
        // Negative advantage −1 with ρ ≈ 1.35: min(−1.35, −1.28) = −1.35 → loss 1.35: the upper clip never binds there.
        var (neg, negClipped) = PolicyMath.ClippedSurrogate(lp, old, T(-1), 0.2, 0.28);
        Assert.Equal(1.349859f, neg.item<float>(), 5);
        Assert.Equal(0f, negClipped.item<float>());
        // ρ = e^−0.5 ≈ 0.606531 with advantage −1: clip to 1 − 0.2 = 0.8 → min(−0.6065, −0.8) = −0.8 → loss 0.8.
        var (low, _) = PolicyMath.ClippedSurrogate(T2(1, -0.5f), old, T(-1), 0.2, 0.28);
        Assert.Equal(0.8f, low.item<float>(), 5);
    }

    [Fact]
    public void Given_two_sequences_of_different_lengths_Then_token_and_sequence_normalisation_differ_as_computed()
    {
        using var scope = NewDisposeScope();
        // Sequence 1: one token, Â = +1; sequence 2: three tokens, Â = −1; ρ = 1 so per-token loss is −Â:
        //   seq 1 tokens: [−1];  seq 2 tokens: [+1, +1, +1]
        // GRPO (mean per sequence, then over the 2 sequences): (−1 + 3/3) / 2 = 0
        // DAPO (token-level over the 4 tokens):               (−1 + 3) / 4 = 0.5
        // Dr. GRPO (sum over 2 sequences × max length 4):      (−1 + 3) / 8 = 0.25
        var z = zeros(2, 3);
        var mask = T2(2, 1, 0, 0, 1, 1, 1);
        var adv = T(1, -1);
        var o = new PolicyOptions();
        var step = new StepShape(Completions: 2, CompletionTokens: 4, MaxCompletionTokens: 4);
        Assert.Equal(2, new Grpo().Normalizer(step));
        Assert.Equal(4, new Dapo().Normalizer(step));
        Assert.Equal(2 * 4, new DrGrpo().Normalizer(step));
        Assert.Equal(2, new Rloo().Normalizer(step));
        Assert.Equal(0f, Loss(new Grpo()), 6);
        Assert.Equal(0.5f, Loss(new Dapo()), 6);
        Assert.Equal(0.25f, Loss(new DrGrpo()), 6);

        float Loss(IPolicyAlgorithm a) =>
            a.Loss(new PolicyBatch(z, z, null, mask, adv, a.Normalizer(step)), o).Loss.item<float>();
    }

    [Fact]
    public void Given_a_two_token_example_Then_k1_and_k3_have_the_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        // π_θ = [0.5, 0.2], π_ref = [0.25, 0.4]
        // k1 = log π_θ − log π_ref = [log 2, log 0.5] = [0.693147, −0.693147]
        // k3 = r − log r − 1 with r = π_ref/π_θ = [0.5, 2]:
        //   [0.5 + 0.693147 − 1, 2 − 0.693147 − 1] = [0.193147, 0.306853]
        var lp = T(0.5f, 0.2f).log();
        var reference = T(0.25f, 0.4f).log();
        Assert.Equal(
            [0.693147f, -0.693147f],
            PolicyMath.K1(lp, reference).data<float>().ToArray().Select(x => MathF.Round(x, 6))
        );
        Assert.Equal(
            [0.193147f, 0.306853f],
            PolicyMath.K3(lp, reference).data<float>().ToArray().Select(x => MathF.Round(x, 6))
        );
    }

    [Fact]
    public void Given_beta_in_the_loss_Then_grpo_adds_beta_times_k3_per_token()
    {
        using var scope = NewDisposeScope();
        // One sequence of two tokens, Â = 0 (so the surrogate is 0), ρ = 1, k3 as above:
        // mean (0.193147 + 0.306853)/2 = 0.25; β = 0.04 → loss 0.01.
        var lp = T2(1, MathF.Log(0.5f), MathF.Log(0.2f));
        var reference = T2(1, MathF.Log(0.25f), MathF.Log(0.4f));
        var loss = new Grpo().Loss(
            new PolicyBatch(lp, lp, reference, ones(1, 2), T(0), 1),
            new PolicyOptions { Beta = 0.04 }
        );
        Assert.Equal(0.01f, loss.Loss.item<float>(), 6);
        Assert.Equal(0.25, loss.Kl, 5);
    }

    [Fact]
    public void Given_a_tiny_float64_model_Then_the_grpo_gradient_matches_finite_differences()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Qwen2(vocab: 50) with { NumHiddenLayers = 1 };
        using var model = new Ponder.Model.CausalLM(config, new DeviceOptions("cpu", "float64"));
        model.InitializeWeights(seed: 3, std: 0.3);
        var ids = tensor(new long[] { 1, 5, 9, 2, 7, 3, 4, 8, 6, 1 }, [2, 5]);
        var attention = ones(2, 5, ScalarType.Float64);
        var mask = tensor(new double[] { 0, 1, 1, 1, 0, 0, 1, 1 }, [2, 4]); // completion tokens only
        var adv = tensor(new double[] { 0.9, -0.9 });
        Tensor old;
        using (no_grad())
            old = TokenLogprobs.Compute(model, ids, attention) - 0.15; // ρ = e^0.15 ≈ 1.16: inside the clip
        var options = new PolicyOptions();

        double LossValue()
        {
            using var s = NewDisposeScope();
            var lp = TokenLogprobs.Compute(model, ids, attention);
            return new Grpo().Loss(new PolicyBatch(lp, old, null, mask, adv, 2), options).Loss.item<double>();
        }

        var logprobs = TokenLogprobs.Compute(model, ids, attention);
        new Grpo().Loss(new PolicyBatch(logprobs, old, null, mask, adv, 2), options).Loss.backward();
        var weight = model.parameters().First(p => p.dim() == 2); // the embedding matrix
        var grad = weight.grad!.clone();
        const double h = 1e-6;
        foreach (long index in new long[] { 5 * 64 + 3, 9 * 64 + 10, 7 * 64 + 40 })
        {
            double analytic = grad.view(-1)[index].item<double>();
            using (no_grad())
                weight.view(-1)[index] += h;
            double plus = LossValue();
            using (no_grad())
                weight.view(-1)[index] -= 2 * h;
            double minus = LossValue();
            using (no_grad())
                weight.view(-1)[index] += h;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(
                Math.Abs(analytic - numeric) <= 1e-6 + 1e-4 * Math.Abs(numeric),
                $"index {index}: analytic {analytic} numeric {numeric}"
            );
            Assert.True(Math.Abs(numeric) > 1e-8, "the checked weight must influence the loss");
        }
    }
}
