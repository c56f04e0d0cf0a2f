using Ponder.Evaluation;
using Ponder.TestTime;

namespace Ponder.Tests.TestTime;

/// <summary>DeepConf's confidence groups, stops and online vote, with hand-computed values.</summary>
public sealed class DeepConfTests
{
    [Fact]
    public void Given_confidences_When_grouped_Then_the_lowest_window_mean_or_the_whole_mean()
    {
        // windows of 2: (3+1)/2 = 2, (1+2)/2 = 1.5, (2+4)/2 = 3 → 1.5; a window longer than the trace: the mean 2.5
        Assert.Equal(1.5, DeepConf.LowestGroup([3, 1, 2, 4], 2), 12);
        Assert.Equal(2.5, DeepConf.LowestGroup([3, 1, 2, 4], 5), 12);
        Assert.Equal(0, DeepConf.LowestGroup([], 2));
    }

    [Fact]
    public void Given_a_bar_When_a_trace_runs_Then_it_stops_at_the_first_full_group_below_it()
    {
        // group means at tokens 1, 2, 3: 2, 1.5, 3 → below 1.6 first at token 2
        Assert.Equal(2, DeepConf.StopAt([3, 1, 2, 4], 2, 1.6));
        Assert.Null(DeepConf.StopAt([3, 1, 2, 4], 2, 1.4));
        Assert.Equal(1.3, DeepConf.Percentile([4, 1, 3, 2], 0.1), 12); // at 0.3 between 1 and 2
    }

    static ConfidentTrace T(string answer, bool correct, params float[] confidence) =>
        new(new GradedSample("p", 0, answer, correct, null), confidence, 10);

    [Fact]
    public void Given_a_confident_warmup_that_agrees_When_run_online_Then_sampling_stops_after_the_warmup()
    {
        var options = new DeepConfOptions(Window: 2, Keep: 0.5);
        // Warm-up of 2 (of 4): lowest groups 3 and 1, bar = median 2: only A votes → consensus 1 ≥ 0.95, stop.
        var o = DeepConf.Online(
            [T("A", true, 3, 3), T("B", false, 1, 1), T("B", false, 1, 1), T("B", false, 1, 1)],
            options
        );

        Assert.Equal("A", o.Choice!.Canonical);
        Assert.Equal(2, o.Traces);
        Assert.Equal(4, o.Tokens);
    }

    [Fact]
    public void Given_a_trace_shorter_than_a_group_When_its_confidence_is_below_the_bar_Then_it_does_not_vote()
    {
        var options = new DeepConfOptions(Window: 4, Keep: 1.0);
        // Warm-up lows 3 (A) and 2 (B): bar 2, votes A 3, B 2 (0.6 < 0.95). The third trace (B, 2 tokens) can never
        // fill a group to be stopped, but its mean 1.5 is below the bar: dropped, so A wins (B would have 3.5).
        var o = DeepConf.Online([T("A", true, 3, 3), T("B", false, 2, 2), T("B", false, 1.5f, 1.5f)], options);

        Assert.Equal("A", o.Choice!.Canonical);
        Assert.Equal(6, o.Tokens);
    }

    [Fact]
    public void Given_a_split_vote_When_run_online_Then_a_trace_below_the_bar_is_stopped_and_dropped()
    {
        var options = new DeepConfOptions(Window: 2, Keep: 1.0);
        // bar = the lowest warm-up group = 1; votes A 3, B 1 (3/4 < 0.95): go on. Trace 3 (B) falls to 0.5 at its
        // token 2: 3 tokens spent, dropped. Trace 4 (A, lowest 2) votes: A 5, B 1 → A. Tokens 2 + 2 + 3 + 2 = 9.
        var o = DeepConf.Online(
            [T("A", true, 3, 3), T("B", false, 1, 1), T("B", false, 2, 0.5f, 0.5f), T("A", true, 2, 2)],
            options
        );

        Assert.Equal("A", o.Choice!.Canonical);
        Assert.Equal(4, o.Traces);
        Assert.Equal(9, o.Tokens);
        Assert.Equal([2, 2, 3, 2], o.Generated);
    }
}
