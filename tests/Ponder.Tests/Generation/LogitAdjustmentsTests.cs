using Ponder.Generation;
using static TorchSharp.torch;

namespace Ponder.Tests.Generation;

public sealed class LogitAdjustmentsTests
{
    static Dictionary<int, int> Counts(params int[] generated) =>
        generated.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void Given_penalties_and_a_bias_Then_each_logit_moves_by_the_hand_computed_offset()
    {
        using var scope = NewDisposeScope();
        float[][] rows =
        [
            [0, 1, 2, 0.5f, 0],
            [3, 1, 0, 0, 0],
            [1, 1, -1, 1, 1],
        ];
        var logits = tensor(rows.SelectMany(r => r).ToArray(), [3, 5]);
        var adjustments = new[]
        {
            new LogitAdjustment(0.5, 0.25, new Dictionary<int, double> { [1] = -1, [4] = 2 }),
            LogitAdjustment.None,
            new LogitAdjustment(-1, 0, new Dictionary<int, double>()),
        };
        // Row 0 generated 1, 1, 3: c = [0, 2, 0, 1, 0]; frequency 0.5, presence 0.25, bias {1: −1, 4: +2}.
        //   token 1: 1 − (2·0.5 + 0.25) − 1 = 1 − 2.25 = −1.25
        //   token 3: 0.5 − (1·0.5 + 0.25)   = 0.5 − 0.75 = −0.25
        //   token 4: 0 + 2                 = 2
        //   tokens 0 and 2: never generated, no bias: unchanged.
        // Row 1 has no adjustment: unchanged, although it generated token 1 as well.
        // Row 2 generated 2 three times with frequency −1 (a negative penalty encourages repetition):
        //   token 2: −1 − (3·(−1)) = 2; presence 0 adds nothing.
        var counts = new[] { Counts(1, 1, 3), Counts(1), Counts(2, 2, 2) };

        var adjusted = LogitAdjustments.Apply(logits, adjustments, counts);

        float[][] expected =
        [
            [0, -1.25f, 2, -0.25f, 2],
            [3, 1, 0, 0, 0],
            [1, 1, 2, 1, 1],
        ];
        Assert.Equal(expected.SelectMany(r => r).ToArray(), adjusted.data<float>().ToArray());
        Assert.Equal(new float[] { 0, 1, 2, 0.5f, 0 }, logits[0].data<float>().ToArray()); // the input is untouched
    }

    [Fact]
    public void Given_a_presence_penalty_only_Then_it_is_subtracted_once_however_often_the_token_occurred()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1, 1, 1 }, [1, 3]);
        // c = [5, 1, 0], presence 0.5: tokens 0 and 1 each lose 0.5, token 2 (never generated) keeps 1.
        var adjusted = LogitAdjustments.Apply(
            logits,
            [new LogitAdjustment(0, 0.5, new Dictionary<int, double>())],
            [Counts(0, 0, 0, 0, 0, 1)]
        );
        Assert.Equal(new float[] { 0.5f, 0.5f, 1 }, adjusted.data<float>().ToArray());
    }

    [Fact]
    public void Given_no_row_with_an_adjustment_Then_the_logits_tensor_itself_is_returned()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        var adjusted = LogitAdjustments.Apply(
            logits,
            [LogitAdjustment.None, LogitAdjustment.None],
            [Counts(0, 1), Counts()]
        );
        Assert.Same(logits, adjusted);
    }
}
