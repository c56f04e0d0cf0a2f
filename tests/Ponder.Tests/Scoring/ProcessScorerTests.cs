using Ponder.Scoring;
using static TorchSharp.torch;

namespace Ponder.Tests.Scoring;

/// <summary>The process scorer's pieces with hand-computed values: aggregation, the step loss, the held-out
/// report.</summary>
public sealed class ProcessScorerTests
{
    [Theory]
    [InlineData(StepAggregation.Last, 0.8)]
    [InlineData(StepAggregation.Min, 0.5)]
    [InlineData(StepAggregation.Product, 0.36)] // 0.9 · 0.5 · 0.8
    public void Given_step_scores_When_aggregated_Then_last_min_and_product(StepAggregation a, double expected) =>
        Assert.Equal(expected, StepAggregations.Apply(a, [0.9, 0.5, 0.8]), 12);

    [Fact]
    public void Given_padded_steps_When_the_loss_is_taken_Then_it_is_the_mean_BCE_over_real_steps()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0, 2, -1, 9 }, [2, 2]);
        var mask = tensor(new[] { true, true, true, false }, [2, 2]);
        var targets = tensor(new float[] { 0.5f, 1, 0, 0 }, [2, 2]);

        double loss = ProcessTrainer.Loss(logits, mask, targets).item<float>();

        // BCE(0, ½) = ln 2 = 0.693147; BCE(2, 1) = softplus(−2) = 0.126928; BCE(−1, 0) = softplus(−1) = 0.313262;
        // the padded (9, 0) is left out: (0.693147 + 0.126928 + 0.313262) / 3 = 0.377779
        Assert.Equal(0.377779, loss, 5);
    }

    static ProcessExample E(double[] soft, bool?[] rule) =>
        new("p", [1, 2, 3], 1, [.. soft.Select((_, k) => k)], soft, soft[^1] > 0, rule);

    [Fact]
    public void Given_three_solutions_When_reported_Then_AUC_first_error_F1_and_rule_agreement_are_the_hand_values()
    {
        ProcessExample[] examples =
        [
            E([1, 0.5, 1], [true, null, true]), // no step is lost: first error −1
            E([0.5, 0, 0], [true, false, null]), // lost at step 1
            E([0, 0], [false, null]), // lost at step 0
        ];
        double[][] scores =
        [
            [0.9, 0.6, 0.8],
            [0.7, 0.3, 0.2],
            [0.6, 0.4],
        ];

        var r = ProcessReport.Of(examples, scores);

        // First score below ½: none (right: kept clean), step 1 (right), step 1 (wrong: the error is at 0).
        // Erroneous accuracy 1/2, correct accuracy 1/1, F1 = 2 · ½ · 1 / 1.5 = 2/3.
        Assert.Equal(0.5, r.ErrorAccuracy);
        Assert.Equal(1.0, r.CorrectAccuracy);
        Assert.Equal(2.0 / 3, r.FirstErrorF1!.Value, 12);
        // Hard labels: positives 0.9 0.6 0.8 0.7, negatives 0.3 0.2 0.6 0.4: 15 of 16 pairs ordered, one tie (0.6) →
        // 15.5 / 16.
        Assert.Equal(15.5 / 16, r.StepAuc!.Value, 12);
        Assert.Equal(8, r.Steps);
        // Ruled steps: (0.9 T) (0.8 T) (0.7 T) (0.3 F) (0.6 F): "≥ ½" agrees on 4 of 5; every right step outscores
        // every wrong one; the hard labels agree with the rule on all 5.
        Assert.Equal(5, r.RuleSteps);
        Assert.Equal(0.8, r.RuleAgreement!.Value, 12);
        Assert.Equal(1.0, r.RuleAuc!.Value, 12);
        Assert.Equal(1.0, r.LabelRuleAgreement!.Value, 12);
        // One problem: the right solution's last step (0.8) outscores both wrong ones (0.2, 0.4).
        Assert.Equal(1.0, r.WithinProblemAuc!.Value, 12);
    }
}
