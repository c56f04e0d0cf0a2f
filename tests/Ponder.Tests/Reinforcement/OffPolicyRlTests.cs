using Ponder.Algorithms;
using Ponder.LanguageModels;
using Ponder.Reinforcement;

namespace Ponder.Tests.Reinforcement;

/// <summary>The local engine as the behaviour policy: its log-probs match the trainer's, so the mismatch metrics are
/// near 0 and masked importance sampling leaves the run as it was.</summary>
public sealed class OffPolicyRlTests
{
    [Theory]
    [InlineData("grpo")]
    [InlineData("gspo")]
    [InlineData("cispo")]
    [InlineData("reinforce++")]
    public void Given_local_rollouts_Then_the_engine_and_trainer_log_probs_agree_and_mis_changes_nothing(string algo)
    {
        var plain = Run(RlTrainerTests.Small(algo) with { Steps = 2 });
        var corrected = Run(
            RlTrainerTests.Small(algo) with
            {
                Steps = 2,
                Policy = RlTrainerTests.Small(algo).Policy with { Correction = IsCorrection.Mis },
            }
        );
        foreach (var m in corrected)
        {
            Assert.InRange(m["offpolicy/logprob_abs_diff"], 0, 1e-4); // same weights, float32 kernels
            Assert.InRange(m["offpolicy/kl"], 0, 1e-6);
            Assert.Equal(0, m["offpolicy/is_capped_fraction"]);
        }
        Assert.Equal(plain.Select(m => m["reward/mean"]), corrected.Select(m => m["reward/mean"]));
        Assert.Equal(plain[^1]["loss/policy"], corrected[^1]["loss/policy"], 4);
    }

    static List<IReadOnlyDictionary<string, double>> Run(RlOptions options)
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(lm, new ParityTask(), options);
        var metrics = new List<IReadOnlyDictionary<string, double>>();
        while (!trainer.Finished)
            metrics.Add(trainer.Step().Metrics);
        return metrics;
    }
}
