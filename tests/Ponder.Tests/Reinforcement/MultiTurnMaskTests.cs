using Ponder.Algorithms;
using Ponder.Generation;
using Ponder.Reinforcement;
using Ponder.Rollouts;
using Ponder.Tasks;
using static TorchSharp.torch;

namespace Ponder.Tests.Reinforcement;

/// <summary>The environment's tokens of a two-turn rollout are out of the policy loss, its normaliser and the KL,
/// computed by hand.</summary>
public sealed class MultiTurnMaskTests
{
    // prompt [1, 2]; turn 1 (model) [10, 11]; tool result (environment) [20, 21, 22]; turn 2 (model) [12, 13]
    static Rollout TwoTurns()
    {
        var completion = new Completion(
            0,
            0,
            [1, 2],
            [10, 11, 20, 21, 22, 12, 13],
            [-0.1f, -0.2f, 0, 0, 0, -0.3f, -0.4f],
            "",
            FinishReason.Stop,
            ReasoningEnd: null,
            FromEnvironment: [false, false, true, true, true, false, false]
        );
        var problem = new Problem("p", "q", "42", new Dictionary<string, string>());
        return new Rollout(problem, completion, "", "42", new Grade(true, "42"), 0, 4, true) { Turns = 2 };
    }

    [Fact]
    public void Given_a_two_turn_rollout_Then_the_mask_covers_the_models_tokens_only()
    {
        using var scope = NewDisposeScope();

        var (ids, mask) = RolloutTensors.Build([TwoTurns()], padId: 0, CPU);

        Assert.Equal([1L, 2, 10, 11, 20, 21, 22, 12, 13], ids.data<long>().ToArray());
        // Position j predicts token j+1: 2→10 and 10→11 are the model's, 11→20, 20→21, 21→22 the environment's,
        // 22→12 and 12→13 the model's again; 1→2 is the prompt.
        Assert.Equal([0f, 1, 1, 0, 0, 0, 1, 1], mask.data<float>().ToArray());
        Assert.Equal(4, TwoTurns().Completion.ModelTokens);
    }

    [Fact]
    public void Given_a_two_turn_rollout_Then_the_loss_and_KL_are_over_the_models_four_tokens_by_hand()
    {
        using var scope = NewDisposeScope();
        var (_, mask) = RolloutTensors.Build([TwoTurns()], padId: 0, CPU);
        // π_θ = π_old, so ρ = 1 everywhere. log π_ref − log π_θ is ln 2 on the model's tokens and 5 on the prompt's and
        // the environment's: had the mask let those in, the KL would be dominated by e^5 − 5 − 1 ≈ 142.41 each.
        var logprobs = tensor(new float[] { -1, -1, -1, -1, -1, -1, -1, -1 }, [1, 8]);
        float ln2 = MathF.Log(2);
        var reference = logprobs + tensor(new[] { 5, ln2, ln2, 5, 5, 5, ln2, ln2 }, [1, 8]);
        var options = new PolicyOptions { Beta = 0.1 };
        // DAPO normalises by the step's model tokens, 4 (the 3 tool-result tokens are not counted).
        var step = new StepShape(Completions: 1, CompletionTokens: TwoTurns().Completion.ModelTokens, 16);
        var dapo = new Dapo();
        var batch = new PolicyBatch(logprobs, logprobs, reference, mask, tensor(new[] { 0.5f }), dapo.Normalizer(step));

        var loss = dapo.Loss(batch, options);

        // k3 = e^{ln 2} − ln 2 − 1 = 1 − 0.693147 = 0.306853 on each model token.
        // Per model token: −Â·ρ + β·k3 = −0.5 + 0.1 × 0.306853 = −0.4693147; summed over 4 tokens / 4 = −0.4693147.
        Assert.Equal(4, dapo.Normalizer(step));
        Assert.Equal(-0.4693147f, loss.Loss.item<float>(), 5);
        Assert.Equal(0.306853, loss.Kl, 5);
        // KL in the reward instead: β·Σ k3 over the model's tokens = 0.1 × 4 × 0.306853 = 0.1227411.
        Assert.Equal(0.1227411, KlTerm.ForReward(logprobs, reference, mask, options).Single(), 5);
    }
}
