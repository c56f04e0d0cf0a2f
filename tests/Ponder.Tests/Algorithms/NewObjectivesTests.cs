using Ponder.Algorithms;
using static TorchSharp.torch;

namespace Ponder.Tests.Algorithms;

/// <summary>GSPO, CISPO and REINFORCE++ on hand-made tensors, the arithmetic in the comments.</summary>
public sealed class NewObjectivesTests
{
    [Fact]
    public void Given_a_sequence_ratio_above_the_clip_Then_gspo_clips_the_length_normalised_ratio()
    {
        using var scope = NewDisposeScope();
        // log π − log π_old = [0.2, 0.4] → s = exp((0.2 + 0.4) / 2) = e^0.3 ≈ 1.349859.
        // Â = +1: −min(1.349859, clip(1.349859, 1 − 3e-4, 1 + 4e-4) = 1.0004) = −1.0004.
        // Â = −1: −min(−1.349859, −1.0004) = 1.349859 (the upper clip never binds for a negative advantage).
        var old = tensor(new float[] { -1, -2 }, [1, 2]);
        var lp = old + tensor(new float[] { 0.2f, 0.4f }, [1, 2]);
        var mask = ones(1, 2);
        var o = RlPreset("gspo");
        Assert.Equal(-1.0004f, Loss(new Gspo(), lp, old, mask, 1, o), 5);
        Assert.Equal(1.349859f, Loss(new Gspo(), lp, old, mask, -1, o), 5);
    }

    [Fact]
    public void Given_a_large_ratio_Then_cispo_caps_the_weight_and_keeps_the_tokens_gradient()
    {
        using var scope = NewDisposeScope();
        // ρ = [1, 6] (log ratios 0 and ln 6); cap 1 + ε_high = 5 → sg(w) = [1, 5]; Â = 1; log π = [−1, −2 + ln 6].
        // loss = Σ −w·Â·log π / Σ|o| = (1·1 + 5·(2 − ln 6)) / 2 = (1 + 5·0.208241) / 2 ≈ 1.020602
        // ∂loss/∂log π = −w·Â / 2 = [−0.5, −2.5]: the capped token still learns (PPO's clip would give it 0).
        var old = tensor(new float[] { -1, -2 }, [1, 2]);
        var lp = (old + tensor(new float[] { 0, MathF.Log(6) }, [1, 2])).detach().requires_grad_();
        var o = RlPreset("cispo");
        var result = new Cispo().Loss(new PolicyBatch(lp, old, null, ones(1, 2), tensor(new float[] { 1 }), 2), o);
        Assert.Equal(1.020602f, result.Loss.item<float>(), 5);
        Assert.Equal(0.5, result.ClipFraction, 6);
        result.Loss.backward();
        Assert.Equal([-0.5f, -2.5f], lp.grad!.data<float>().ToArray().Select(g => MathF.Round(g, 5)));
    }

    [Fact]
    public void Given_rewards_Then_reinforce_plus_plus_whitens_over_the_batch()
    {
        double[] rewards = [1, 0, 0, 1, 1, 1, 1, 1];
        // reinforce++: mean 0.75 → [0.25, −0.75, −0.75, 0.25, 0.25 × 4]; population std √((6·0.0625 + 2·0.5625)/8)
        // = √0.1875 ≈ 0.433013 → 0.25/0.433013 ≈ 0.577350, −0.75/0.433013 ≈ −1.732051.
        Assert.Equal(
            [0.57735, -1.732051, -1.732051, 0.57735, 0.57735, 0.57735, 0.57735, 0.57735],
            new ReinforcePlusPlus(groupBaseline: false).Advantages(rewards, 4).Select(a => Math.Round(a, 6))
        );
        // -baseline: group means 0.5 and 1 → [0.5, −0.5, −0.5, 0.5, 0, 0, 0, 0]; std √(4·0.25/8) ≈ 0.353553
        // → ±1.414214, and the all-equal group stays exactly 0.
        Assert.Equal(
            [1.414214, -1.414214, -1.414214, 1.414214, 0, 0, 0, 0],
            new ReinforcePlusPlus(groupBaseline: true).Advantages(rewards, 4).Select(a => Math.Round(a, 6))
        );
        Assert.All(new ReinforcePlusPlus(false).Advantages([0.1, 0.1, 0.1], 1), a => Assert.Equal(0.0, a));
        Assert.False(PolicyAlgorithms.Create("reinforce++").GroupRelative); // a group of one is allowed
    }

    static PolicyOptions RlPreset(string algo) => Ponder.Reinforcement.RlOptions.For(algo).Policy;

    static float Loss(IPolicyAlgorithm a, Tensor lp, Tensor old, Tensor mask, float advantage, PolicyOptions o) =>
        a.Loss(new PolicyBatch(lp, old, null, mask, tensor(new[] { advantage }), 1), o).Loss.item<float>();
}
