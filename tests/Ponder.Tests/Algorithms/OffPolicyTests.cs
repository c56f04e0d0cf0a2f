using Ponder.Algorithms;
using Ponder.Reinforcement;
using static TorchSharp.torch;

namespace Ponder.Tests.Algorithms;

public sealed class OffPolicyTests
{
    // Row 1: two tokens, log π_old [−1, −2], log μ [−1.5, −2] → log ratios [0.5, 0];
    // row 2: one token (then padding), log π_old −0.5, log μ −2 → log ratio 1.5.
    static Tensor Old() => tensor(new float[] { -1, -2, -0.5f, 0 }, [2, 2]);

    static Tensor Mu() => tensor(new float[] { -1.5f, -2, -2, 0 }, [2, 2]);

    static Tensor Mask() => tensor(new float[] { 1, 1, 1, 0 }, [2, 2]);

    static float[] Weights(IsCorrection correction, IsLevel level, out double capped)
    {
        var o = new PolicyOptions
        {
            Correction = correction,
            IsLevel = level,
            IsCap = 3,
        };
        var (w, c) = OffPolicy.Weights(Old(), Mu(), Mask(), o);
        capped = c;
        return w!.data<float>().ToArray().Select(x => MathF.Round(x, 5)).ToArray();
    }

    [Fact]
    public void Given_hand_made_log_probs_Then_tis_and_mis_weights_are_the_hand_computed_ones()
    {
        using var scope = NewDisposeScope();
        // Token ratios: e^0.5 ≈ 1.648721, e^0 = 1, e^1.5 ≈ 4.481689 > cap 3; padding's ratio is e^0 = 1 (masked out
        // of the loss anyway). TIS caps 4.48 at 3; MIS zeroes it. One of the three tokens was over the cap.
        Assert.Equal([1.64872f, 1, 3, 1], Weights(IsCorrection.Tis, IsLevel.Token, out double tokenCapped));
        Assert.Equal(1 / 3.0, tokenCapped, 6);
        Assert.Equal([1.64872f, 1, 0, 1], Weights(IsCorrection.Mis, IsLevel.Token, out _));
        // Sequence ratios: exp(0.5 + 0) ≈ 1.648721 and exp(1.5) ≈ 4.481689: one of the two completions capped.
        Assert.Equal([1.64872f, 3], Weights(IsCorrection.Tis, IsLevel.Sequence, out double sequenceCapped));
        Assert.Equal(0.5, sequenceCapped, 6);
        Assert.Equal([1.64872f, 0], Weights(IsCorrection.Mis, IsLevel.Sequence, out _));
        Assert.Null(OffPolicy.Weights(Old(), Mu(), Mask(), new PolicyOptions()).Weights);
    }

    [Fact]
    public void Given_hand_made_log_probs_Then_the_mismatch_is_the_hand_computed_one()
    {
        using var scope = NewDisposeScope();
        // |Δ| over the 3 tokens: (0.5 + 0 + 1.5) / 3 ≈ 0.666667
        // k3 with r = π_old/μ: (e^0.5 − 0.5 − 1) + 0 + (e^1.5 − 1.5 − 1) = 0.148721 + 1.981689 = 2.130410;
        // / 3 ≈ 0.710137
        var (abs, kl) = OffPolicy.Mismatch(Old(), Mu(), Mask());
        Assert.Equal(0.666667, abs, 5);
        Assert.Equal(0.710137, kl, 5);
    }

    [Theory]
    [InlineData("grpo", IsCorrection.Tis, IsLevel.Token)]
    [InlineData("drgrpo", IsCorrection.Mis, IsLevel.Sequence)]
    [InlineData("dapo", IsCorrection.Tis, IsLevel.Sequence)]
    [InlineData("rloo", IsCorrection.Mis, IsLevel.Token)]
    [InlineData("gspo", IsCorrection.Mis, IsLevel.Sequence)]
    [InlineData("cispo", IsCorrection.Tis, IsLevel.Token)]
    [InlineData("reinforce++", IsCorrection.Mis, IsLevel.Token)]
    public void Given_identical_log_probs_Then_the_corrected_loss_equals_the_on_policy_loss(
        string algo,
        IsCorrection correction,
        IsLevel level
    )
    {
        using var scope = NewDisposeScope();
        var algorithm = PolicyAlgorithms.Create(algo);
        var lp = tensor(new float[] { -1, -2, -0.5f, 0 }, [2, 2]).requires_grad_();
        var old = tensor(new float[] { -1.1f, -1.8f, -0.7f, 0 }, [2, 2]);
        var adv = tensor(new float[] { 1, -0.5f });
        var o = new PolicyOptions { Correction = correction, IsLevel = level };
        var (weights, _) = OffPolicy.Weights(old, old, Mask(), o); // μ = π_old: every weight 1
        var plain = algorithm.Loss(new PolicyBatch(lp, old, null, Mask(), adv, 3), o).Loss.item<float>();
        var corrected = algorithm.Loss(new PolicyBatch(lp, old, null, Mask(), adv, 3, weights), o).Loss.item<float>();
        Assert.Equal(plain, corrected);
        Assert.NotEqual(0f, plain);
    }

    [Fact]
    public void Given_a_weight_of_zero_Then_the_token_adds_nothing_to_the_loss()
    {
        using var scope = NewDisposeScope();
        // ρ = 1 (log π = log π_old) and Â = 1, so GRPO's per-token loss is −weight. MIS at the token level zeroes row
        // 2's only token (ratio e^1.5 > 3), so that row adds nothing.
        var o = new PolicyOptions { Correction = IsCorrection.Mis, IsLevel = IsLevel.Token };
        var (weights, _) = OffPolicy.Weights(Old(), Mu(), Mask(), o);
        var lp = Old();
        var loss = new Grpo().Loss(new PolicyBatch(lp, lp, null, Mask(), tensor(new float[] { 1, 1 }), 2, weights), o);
        // row 1: tokens weighted 1.648721 and 1 → −(1.648721 + 1) / 2 = −1.324361; row 2: 0; sum / 2 = −0.662180
        Assert.Equal(-0.662180f, loss.Loss.item<float>(), 5);
    }
}
