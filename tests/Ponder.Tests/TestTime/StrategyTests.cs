using Ponder.Evaluation;
using Ponder.TestTime;

namespace Ponder.Tests.TestTime;

/// <summary>Each strategy on hand-made candidate lists: ties, all wrong, no answers, empty lists.</summary>
public sealed class StrategyTests
{
    static GradedSample S(int i, string? answer, bool correct, double? score = null) =>
        new("p", i, answer, correct, score);

    [Theory]
    [InlineData(Strategy.Single)]
    [InlineData(Strategy.Majority)]
    [InlineData(Strategy.BestOfN)]
    [InlineData(Strategy.WeightedMajority)]
    public void Given_no_candidates_When_choosing_Then_every_strategy_abstains(Strategy strategy)
    {
        Assert.Null(Strategies.Choose(strategy, []));
        Assert.False(Strategies.ChoosesCorrect(strategy, []));
    }

    [Fact]
    public void Given_candidates_When_single_Then_the_first_is_chosen_even_without_an_answer()
    {
        GradedSample[] c = [S(0, null, false), S(1, "4", true)];
        Assert.Same(c[0], Strategies.Choose(Strategy.Single, c));
    }

    [Fact]
    public void Given_a_two_two_tie_When_majority_Then_the_answer_seen_first_wins()
    {
        // 5, 4, 4, 5: both have two votes; 5 appeared first.
        GradedSample[] c = [S(0, "5", false), S(1, "4", true), S(2, "4", true), S(3, "5", false)];
        Assert.Same(c[0], Strategies.Choose(Strategy.Majority, c));
    }

    [Fact]
    public void Given_more_missing_answers_than_any_answer_When_majority_Then_a_missing_answer_never_wins()
    {
        // Three samples without an answer, one "4": the null "group" is the largest but cannot win.
        GradedSample[] c = [S(0, null, false), S(1, null, false), S(2, "4", true), S(3, null, false)];
        Assert.Same(c[2], Strategies.Choose(Strategy.Majority, c));
        // Weighted: the unanswered samples' scores (0.9 each) do not count for any answer.
        var weighted = Strategies.Choose(
            Strategy.WeightedMajority,
            [S(0, null, false, 0.9), S(1, null, false, 0.9), S(2, "4", true, 0.1)]
        );
        Assert.Equal("4", weighted!.Canonical);
    }

    [Fact]
    public void Given_no_candidate_has_an_answer_When_voting_Then_both_votes_abstain()
    {
        GradedSample[] c = [S(0, null, false, 0.7), S(1, null, false, 0.2)];
        Assert.Null(Strategies.Choose(Strategy.Majority, c));
        Assert.Null(Strategies.Choose(Strategy.WeightedMajority, c));
        Assert.Same(c[0], Strategies.Choose(Strategy.BestOfN, c)); // best-of-N still picks a sample; it counts as wrong
        Assert.False(Strategies.ChoosesCorrect(Strategy.BestOfN, c));
    }

    [Fact]
    public void Given_all_wrong_When_any_strategy_Then_the_choice_is_wrong()
    {
        GradedSample[] c = [S(0, "1", false, 0.9), S(1, "2", false, 0.5), S(2, "1", false, 0.1)];
        foreach (var s in Strategies.All)
            Assert.False(Strategies.ChoosesCorrect(s, c));
    }

    [Fact]
    public void Given_scores_When_best_of_n_Then_the_highest_wins_and_ties_go_to_the_first()
    {
        GradedSample[] c = [S(0, "1", false, 0.3), S(1, "2", true, 0.8), S(2, "3", false, 0.8)];
        Assert.Same(c[1], Strategies.Choose(Strategy.BestOfN, c));
    }

    [Fact]
    public void Given_a_confident_minority_When_weighted_majority_Then_the_larger_score_sum_beats_the_larger_count()
    {
        // "7": 0.1 + 0.1 + 0.1 = 0.3 over three votes; "8": 0.9 alone. Majority picks 7, weighted picks 8.
        GradedSample[] c = [S(0, "7", false, 0.1), S(1, "7", false, 0.1), S(2, "8", true, 0.9), S(3, "7", false, 0.1)];
        Assert.Equal("7", Strategies.Choose(Strategy.Majority, c)!.Canonical);
        Assert.Same(c[2], Strategies.Choose(Strategy.WeightedMajority, c));
    }

    [Fact]
    public void Given_equal_score_sums_When_weighted_majority_Then_the_answer_seen_first_wins()
    {
        GradedSample[] c = [S(0, "a", false, 0.25), S(1, "b", true, 0.5), S(2, "a", false, 0.25)];
        Assert.Same(c[0], Strategies.Choose(Strategy.WeightedMajority, c));
    }

    [Fact]
    public void Given_an_undefined_enum_value_When_choosing_Then_it_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Strategies.Choose((Strategy)99, [S(0, "1", true)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Strategies.Name((Strategy)99));
    }

    [Fact]
    public void Given_four_samples_When_accuracy_at_two_Then_it_is_the_mean_over_the_two_disjoint_groups()
    {
        // Groups (1 ✓, 2 ✗) and (3 ✗, 3 ✗): the first group ties → "1" seen first → correct; the second is wrong.
        GradedSample[] c = [S(0, "1", true), S(1, "2", false), S(2, "3", false), S(3, "3", false)];
        Assert.Equal(0.5, ScalingSweep.Accuracy(Strategy.Majority, c, 2));
        Assert.Equal(0.25, ScalingSweep.Accuracy(Strategy.Single, c, 1));
    }
}
