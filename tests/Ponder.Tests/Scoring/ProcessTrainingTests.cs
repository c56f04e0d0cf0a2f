using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Rollouts;
using Ponder.Scoring;
using Ponder.Tasks;

namespace Ponder.Tests.Scoring;

/// <summary>Math-Shepherd labels and the process scorer's training, saving and loading, on a tiny random
/// model.</summary>
public sealed class ProcessTrainingTests
{
    /// <summary>The character the samples write most: a separator that gives them inner steps.</summary>
    static string Frequent(LanguageModel lm, IReadOnlyList<Rollout> rollouts) =>
        rollouts
            .SelectMany(r => lm.Tokenizer.Decode(r.Completion.TokenIds))
            .Where(c => char.IsAsciiLetterOrDigit(c))
            .GroupBy(c => c)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key)
            .First()
            .Key.ToString();

    [Fact]
    public void Given_samples_When_labelled_Then_each_step_gets_a_share_of_k_continuations_and_the_last_the_grade()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 7);
        var task = new TaskSpec("arithmetic").Create();
        var problems = task.Problems(TaskSplit.Train, 4);
        var rollouts = LocalRollouts.Run(
            lm,
            task,
            problems,
            new SamplingOptions
            {
                N = 2,
                MaxNewTokens = 24,
                Seed = 1,
            }
        );
        string separator = Frequent(lm, rollouts);

        var examples = ProcessLabels.Label(lm, task, rollouts, separator, new ProcessLabelOptions(4, 16, 2), 256);

        Assert.Equal(rollouts.Count, examples.Count);
        Assert.Contains(examples, e => e.StepEnds.Length > 1); // the separator splits some completions
        foreach (var (e, r) in examples.Zip(rollouts))
        {
            Assert.Equal(e.Ids.Length - 1, e.StepEnds[^1]); // the last step ends with the completion
            Assert.Equal(e.StepEnds.Order(), e.StepEnds);
            Assert.Equal(r.Grade.Correct ? 1.0 : 0.0, e.Soft[^1]);
            Assert.All(e.Soft, s => Assert.Contains(s, new[] { 0, 0.25, 0.5, 0.75, 1 }));
            Assert.All(
                e.StepEnds[..^1],
                end => Assert.Contains(separator, lm.Tokenizer.Decode([e.Ids[end]]), StringComparison.Ordinal)
            ); // a separator can end inside a token
        }
    }

    [Fact]
    public void Given_a_trained_process_scorer_When_saved_and_loaded_Then_it_scores_the_same_and_says_what_it_is()
    {
        using var dir = new TempDir();
        var policy = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 7);
        var task = new TaskSpec("arithmetic").Create();
        var data = new ScorerDataOptions(Problems: 6, SamplesPerProblem: 2, MaxNewTokens: 16, Seed: 1);
        var process = new ProcessDataOptions("1", new ProcessLabelOptions(2, 12, 1), Aggregation: StepAggregation.Min);

        var (scorer, report) = ProcessTraining.Run(
            policy,
            "tiny",
            task,
            data,
            process,
            new ScorerOptions { Steps = 3, BatchSize = 4 }
        );
        double[][] before;
        var heldOut = task.Problems(TaskSplit.Train, 6).TakeLast(1).ToArray();
        using var policy2 = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 7);
        var rollouts = LocalRollouts.Run(
            policy2,
            task,
            heldOut,
            new SamplingOptions
            {
                N = 2,
                MaxNewTokens = 16,
                Seed = 4,
            }
        );
        using (var prm = new ProcessScorer(scorer))
        {
            Assert.Equal("process", scorer.Info.Kind);
            Assert.Equal("min", scorer.Info.Aggregation);
            Assert.True(scorer.Info.Metrics["heldout_steps"] >= report.Solutions);
            before = prm.StepScores(rollouts);
            scorer.Save(dir.Path);
        }

        using var loaded = ProcessScorer.Load(dir.Path, policy2, null);
        var after = loaded.StepScores(rollouts);
        Assert.Equal(StepAggregation.Min, loaded.Aggregation);
        for (int i = 0; i < rollouts.Count; i++)
        {
            Assert.Equal(before[i].Length, after[i].Length);
            for (int k = 0; k < before[i].Length; k++)
                Assert.Equal(before[i][k], after[i][k], 6);
        }
        Assert.Equal(loaded.Score(rollouts), after.Select(s => s.Min()));
    }
}
