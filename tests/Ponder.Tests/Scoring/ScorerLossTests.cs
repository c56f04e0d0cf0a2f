using Ponder.Scoring;
using TorchSharp;

namespace Ponder.Tests.Scoring;

/// <summary>The scorer's training losses: BCE on every completion token, and the pairwise loss over the right and
/// wrong samples of one problem.</summary>
public sealed class ScorerLossTests
{
    [Trait(Lanes.Category, Lanes.Slow)]
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Given_a_label_shown_mid_sequence_When_trained_on_every_token_or_the_last_Then_held_out_auc_beats_chance(
        bool everyToken
    )
    {
        // "=Y"/"=N" then 3–8 random letters: the last token carries nothing, so the score must carry the signal
        // forward.
        using var scorer = ScorerTests.NewScorer();
        List<ScorerExample> Make(int count, int seed)
        {
            var rng = new Random(seed);
            return
            [
                .. Enumerable
                    .Range(0, count)
                    .Select(i =>
                    {
                        bool correct = rng.Next(2) == 0;
                        string prompt = new(
                            Enumerable.Range(0, rng.Next(3, 8)).Select(_ => (char)('a' + rng.Next(26))).ToArray()
                        );
                        string completion =
                            (correct ? "=Y" : "=N")
                            + new string(
                                Enumerable.Range(0, rng.Next(3, 8)).Select(_ => (char)('a' + rng.Next(26))).ToArray()
                            );
                        var p = scorer.Body.Tokenizer.Encode(prompt).ToArray();
                        return ScorerBatch.Example(
                            $"p{i}",
                            p,
                            scorer.Body.Tokenizer.Encode(completion).ToArray(),
                            correct,
                            64
                        );
                    }),
            ];
        }
        ScorerTests.Train(
            scorer,
            Make(256, 1),
            new ScorerOptions
            {
                Steps = 80,
                BatchSize = 16,
                LearningRate = 2e-3,
                WarmupSteps = 5,
                EveryToken = everyToken,
                TrainBody = true,
            }
        );

        var report = ScorerTraining.Evaluate(scorer, Make(64, 2));
        Assert.True(report.Auc > 0.9, $"held-out AUC {report.Auc}");
    }

    [Fact]
    public void Given_hand_made_logits_When_the_every_token_loss_is_taken_Then_it_averages_bce_over_completion()
    {
        // Row 0: positions 1, 2 scored (start 1), label 1;
        // row 1: positions 0, 1 scored (position 2 is padding), label 0.
        //   BCE(ln 3, 1) = −ln σ(ln 3) = −ln ¾ = ln 4 − ln 3     BCE(−ln 3, 1) = −ln ¼ = ln 4
        //   BCE(ln 3, 0) = −ln(1 − ¾) = ln 4                    BCE(0, 0) = ln 2
        //   mean of the four = (3 ln 4 + ln 2 − ln 3) / 4 = (7 ln 2 − ln 3) / 4 = 0.938354…
        // Position 0 of row 0 (logit 9, label 1) and the padding (logit 9) would change it if they counted.
        double ln3 = Math.Log(3);
        using var logits = torch.tensor(new double[] { 9, ln3, -ln3, ln3, 0, 9 }, [2, 3]);
        using var attention = torch.tensor(new double[] { 1, 1, 1, 1, 1, 0 }, [2, 3]);
        using var labels = torch.tensor(new double[] { 1, 0 });
        using var loss = ScorerTrainer.EveryTokenLoss(logits, attention, [1, 0], labels);
        Assert.Equal((7 * Math.Log(2) - ln3) / 4, loss.item<double>(), 9);

        // Starting at each row's last real token, it is the last-token (outcome) loss: (BCE(−ln 3, 1) + BCE(0, 0)) / 2.
        using var last = ScorerTrainer.EveryTokenLoss(logits, attention, [2, 1], labels);
        Assert.Equal((Math.Log(4) + Math.Log(2)) / 2, last.item<double>(), 9);
    }

    [Fact]
    public void Given_hand_made_scores_When_the_pairwise_loss_is_taken_Then_it_averages_over_right_wrong_pairs()
    {
        // Problem a: right (ln 3) vs wrong (0): −ln σ(ln 3) = −ln ¾ = ln 4 − ln 3.
        // Problem b: right (0) vs wrong (ln 3): −ln σ(−ln 3) = −ln ¼ = ln 4.
        // Right of a vs wrong of b (0 − ln 3) would add a third pair if problems were mixed; c has one sample only.
        // Mean = (2 ln 4 − ln 3) / 2 = (4 ln 2 − ln 3) / 2 = 0.837018…
        double ln3 = Math.Log(3);
        using var scores = torch.tensor(new double[] { ln3, 0, 0, ln3, 5 });
        using var loss = ScorerTrainer.PairwiseLoss(
            scores,
            [true, false, true, false, true],
            ["a", "a", "b", "b", "c"]
        );
        Assert.Equal((4 * Math.Log(2) - ln3) / 2, loss.item<double>(), 9);

        using var none = ScorerTrainer.PairwiseLoss(scores, [true, true, true, true, true], ["a", "a", "b", "b", "c"]);
        Assert.Equal(0.0, none.item<double>());
    }

    /// <summary>Problems p0…p7 each with 3 right and 3 wrong samples ("=Y"/"=N" as the synthetic set), p8 all
    /// right.</summary>
    static List<ScorerExample> RightAndWrongPerProblem(ScorerModel scorer)
    {
        var data = new List<ScorerExample>();
        for (int p = 0; p < 9; p++)
        {
            for (int k = 0; k < 6; k++)
            {
                bool correct = p == 8 || k % 2 == 0;
                var ids = scorer.Body.Tokenizer.Encode($"q{p}" + (correct ? "=Y" : "=N")).ToArray();
                data.Add(new ScorerExample($"p{p}", ids, correct, ids.Length - 2));
            }
        }
        return data;
    }

    [Fact]
    public void Given_the_pairwise_loss_When_training_Then_batches_are_whole_problems_with_both_labels()
    {
        using var scorer = ScorerTests.NewScorer();
        var data = RightAndWrongPerProblem(scorer);

        using (
            var trainer = new ScorerTrainer(
                scorer,
                data,
                new ScorerOptions
                {
                    Steps = 40,
                    BatchSize = 8,
                    LearningRate = 2e-3,
                    WarmupSteps = 2,
                    PairwiseWeight = 1,
                    TrainBody = true,
                }
            )
        )
        {
            // A batch of 8 is two problems × (2 right + 2 wrong), never p8 (it has no wrong sample).
            for (int k = 0; k < 5; k++)
            {
                var batch = trainer.NextProblems();
                Assert.Equal(8, batch.Length);
                Assert.All(
                    batch.GroupBy(e => e.ProblemId),
                    g =>
                    {
                        Assert.NotEqual("p8", g.Key);
                        Assert.Equal(2, g.Count(e => e.Correct));
                        Assert.Equal(2, g.Count(e => !e.Correct));
                    }
                );
            }
            for (int s = 0; s < 40; s++)
                trainer.Step();
        }
        var report = ScorerTraining.Evaluate(scorer, data.Where(e => e.ProblemId != "p8").ToArray());
        Assert.True(report.WithinProblemAuc > 0.9, $"within-problem AUC {report.WithinProblemAuc}");
    }

    [Fact]
    public void Given_the_pairwise_loss_When_data_batch_size_or_weight_cannot_work_Then_the_error_says_why()
    {
        using var scorer = ScorerTests.NewScorer();
        var data = RightAndWrongPerProblem(scorer);

        var onlyRight = data.Where(e => e.Correct).ToArray();
        var e1 = Assert.Throws<PonderException>(() =>
            new ScorerTrainer(scorer, onlyRight, new ScorerOptions { PairwiseWeight = 1 })
        );
        Assert.Contains("--pairwise", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<PonderException>(() =>
            new ScorerTrainer(scorer, data, new ScorerOptions { PairwiseWeight = 1, BatchSize = 6 })
        );
        Assert.Contains("multiple of 4", e2.Message, StringComparison.Ordinal);
        Assert.Throws<PonderException>(() => new ScorerOptions { PairwiseWeight = -1 }.Validate());
    }
}
