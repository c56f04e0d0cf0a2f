using Ponder.Scoring;

namespace Ponder.Tests.Scoring;

/// <summary>AUC by the rank formula, Brier score and the reliability table on hand-made scores.</summary>
public sealed class CalibrationTests
{
    [Fact]
    public void Given_perfectly_separated_scores_Then_auc_is_one_and_reversed_scores_give_zero()
    {
        bool[] labels = [true, true, false, false];
        Assert.Equal(1.0, Calibration.Auc([0.9, 0.8, 0.2, 0.1], labels));
        Assert.Equal(0.0, Calibration.Auc([0.1, 0.2, 0.8, 0.9], labels));
    }

    [Fact]
    public void Given_a_mixed_ranking_Then_auc_counts_the_ordered_pairs()
    {
        // Positives 0.8, 0.4; negatives 0.6, 0.2. Pairs (pos > neg): 0.8>0.6 ✓, 0.8>0.2 ✓, 0.4>0.6 ✗, 0.4>0.2 ✓ → 3/4.
        Assert.Equal(0.75, Calibration.Auc([0.8, 0.6, 0.4, 0.2], [true, false, true, false]));
    }

    [Fact]
    public void Given_scores_that_rank_problems_not_samples_Then_the_within_problem_auc_is_one_half()
    {
        // Problem a (easy): correct 0.9, wrong 0.9. Problem b (hard): correct 0.1, wrong 0.1, wrong 0.1.
        // Plain AUC: positives {0.9, 0.1} against negatives {0.9, 0.1, 0.1}: 0.9 ties 0.9 (½) and beats 0.1 twice (2);
        // 0.1 loses to 0.9 (0) and ties 0.1 twice (1) → 3.5 / 6. Within problems: a has one pair (tie, ½), b two pairs
        // (ties, ½ + ½) → 1.5 / 3 = ½: the scores only tell the easy problem from the hard one.
        double[] scores = [0.9, 0.9, 0.1, 0.1, 0.1];
        bool[] labels = [true, false, true, false, false];
        string[] problems = ["a", "a", "b", "b", "b"];
        Assert.Equal(3.5 / 6, Calibration.Auc(scores, labels)!.Value, 12);
        Assert.Equal(0.5, Calibration.WithinGroupAuc(scores, labels, problems));
        // Ranking inside each problem: a's correct 0.9 over its wrong 0.8 (1);
        // b's correct 0.3 over 0.2 (1) and under 0.4 (0) → 2/3.
        Assert.Equal(2 / 3.0, Calibration.WithinGroupAuc([0.9, 0.8, 0.3, 0.2, 0.4], labels, problems)!.Value, 12);
        // No problem with both labels: undefined.
        Assert.Null(Calibration.WithinGroupAuc([0.9, 0.1], [true, false], ["a", "b"]));
    }

    [Fact]
    public void Given_ties_between_classes_Then_each_tied_pair_counts_one_half()
    {
        // Positive 0.5 vs negatives 0.5 (tie, ½) and 0.1 (win, 1); positive 0.9 beats both (2).
        // (½ + 1 + 2) / 4 = 0.875.
        Assert.Equal(0.875, Calibration.Auc([0.5, 0.9, 0.5, 0.1], [true, true, false, false]));
        // All scores equal: every pair is a tie → ½.
        Assert.Equal(0.5, Calibration.Auc([0.3, 0.3, 0.3], [true, false, false]));
    }

    [Fact]
    public void Given_one_class_only_Then_auc_is_undefined()
    {
        Assert.Null(Calibration.Auc([0.1, 0.9], [true, true]));
        Assert.Null(Calibration.Auc([], []));
    }

    [Fact]
    public void Given_probabilities_Then_brier_is_the_mean_squared_error()
    {
        // (0.9−1)² + (0.2−0)² + (0.5−1)² = 0.01 + 0.04 + 0.25 = 0.30 → mean 0.1.
        Assert.Equal(0.1, Calibration.Brier([0.9, 0.2, 0.5], [true, false, true]), 12);
    }

    [Fact]
    public void Given_binned_predictions_Then_the_reliability_table_and_ece_match_hand_arithmetic()
    {
        // Bin [0.1, 0.2): 0.15, 0.15 with labels ✗ ✓ → mean 0.15, observed 0.5, gap 0.35.
        // Bin [0.9, 1.0]: 0.95, 1.0 with labels ✓ ✓ → mean 0.975, observed 1, gap 0.025.
        double[] p = [0.15, 0.15, 0.95, 1.0];
        bool[] y = [false, true, true, true];
        var bins = Calibration.Reliability(p, y);
        Assert.Equal(10, bins.Count);
        Assert.Equal(2, bins[1].Count);
        Assert.Equal(0.5, bins[1].Observed);
        Assert.Equal(2, bins[9].Count);
        Assert.Equal(0.975, bins[9].MeanPredicted, 12);
        Assert.Equal(0.5 * 0.35 + 0.5 * 0.025, Calibration.Ece(bins), 12);
    }
}
