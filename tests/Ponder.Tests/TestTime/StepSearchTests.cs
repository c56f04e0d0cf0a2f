using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Scoring;
using Ponder.Tasks;
using Ponder.TestTime;
using Ponder.Text;

namespace Ponder.Tests.TestTime;

/// <summary>The step-expansion primitive and the searches built on it, on a tiny random model.</summary>
public sealed class StepSearchTests
{
    static IReadOnlyList<int> Prompt(LanguageModel lm, string text) =>
        lm.Chat!.Render([new ChatMessage(ChatRole.User, text)]).Ids;

    [Fact]
    public void Given_greedy_decoding_When_a_completion_grows_step_by_step_Then_it_equals_the_completion_in_one_go()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 1);
        Scramble(lm); // a fresh model's greedy text is one repeated newline; noise makes it vary
        var prompt = Prompt(lm, "What is 12+30?");
        var whole = lm.CreateGenerator().Generate([prompt], new SamplingOptions { Temperature = 0, MaxNewTokens = 40 })[
            0
        ];
        // A separator the greedy text holds early, so the completion splits into several steps.
        string separator = whole
            .TokenIds.Skip(2)
            .Select(id => lm.Tokenizer.Decode([id]))
            .First(t => t.Length > 0 && !t.Contains('\uFFFD') && !t.Contains('<') && !string.IsNullOrWhiteSpace(t))[
            ..1
        ];
        var settings = new StepSettings(0, 1, null, 40, separator, Seed: 0);

        var path = SearchPath.Empty;
        int rounds = 0;
        while (!path.Finished)
        {
            path = StepExpansion.Expand(lm, [new StepRequest(prompt, path, 1)], settings)[0][0];
            rounds++;
        }

        Assert.Equal(whole.TokenIds, path.Tokens);
        Assert.True(rounds >= 2, $"{rounds} round(s): the separator should split the completion");
        Assert.Equal(rounds, path.StepEnds.Length);
        for (int k = 0, from = 0; k < path.StepEnds.Length - 1; from = path.StepEnds[k] + 1, k++)
        {
            // every step but the last holds the separator in its last token
            Assert.Contains(
                separator,
                lm.Tokenizer.Decode(path.Tokens[from..(path.StepEnds[k] + 1)]),
                StringComparison.Ordinal
            );
            Assert.Contains(separator, lm.Tokenizer.Decode([path.Tokens[path.StepEnds[k]]]), StringComparison.Ordinal);
        }
    }

    static void Scramble(LanguageModel lm)
    {
        using var _ = TorchSharp.torch.no_grad();
        var g = new TorchSharp.torch.Generator(11);
        foreach (var p in lm.Network.parameters())
            p.add_(TorchSharp.torch.randn(p.shape, generator: g) * 0.5);
    }

    static ProcessScorer UntrainedPrm(string separator)
    {
        var body = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5);
        var info = ScorerInfo.For(body, "tiny", 256, "arithmetic") with
        {
            Kind = ProcessScorer.Kind,
            StepSeparator = separator,
            Aggregation = "min",
        };
        return new ProcessScorer(ScorerModel.FromPolicy(body, info));
    }

    [Theory]
    [InlineData(TreeSearchKind.Beam)]
    [InlineData(TreeSearchKind.Dvts)]
    public void Given_a_process_scorer_When_searching_Then_paths_finish_compute_is_counted_and_runs_repeat(
        TreeSearchKind kind
    )
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5);
        using var prm = UntrainedPrm("1");
        var task = new TaskSpec("arithmetic").Create();
        var problems = task.Problems(TaskSplit.Test, 2);
        var prompts = problems.Select(p => Prompt(lm, task.Prompt(p))).ToArray();
        var settings = new StepSettings(1.0, 1.0, 12, 20, "1", Seed: 3);

        var first = TreeSearch.Run(lm, prm, task, problems, prompts, kind, 4, 2, settings);
        var again = TreeSearch.Run(lm, prm, task, problems, prompts, kind, 4, 2, settings);

        foreach (var (o, a) in first.Zip(again))
        {
            Assert.NotEmpty(o.Finished);
            // DVTS ends with one path per subtree (N / M = 2); beam may finish more before it stops
            if (kind == TreeSearchKind.Dvts)
                Assert.Equal(2, o.Finished.Count);
            else
                Assert.InRange(o.Finished.Count, 1, 4); // the N best finished paths vote
            Assert.All(o.Finished, r => Assert.InRange(r.Completion.TokenIds.Count, 1, 20));
            // pruned paths count too: at least the finished paths' own tokens were generated
            Assert.True(o.Tokens >= o.Finished.Max(r => r.Completion.TokenIds.Count));
            Assert.True(o.Flops > 0);
            Assert.Equal(o.Tokens, a.Tokens);
            Assert.Equal(o.Scores, a.Scores);
            Assert.Equal(o.Finished.Select(r => r.Completion.TokenIds), a.Finished.Select(r => r.Completion.TokenIds));
        }
    }

    [Fact]
    public void Given_beam_and_deepconf_When_swept_Then_each_has_points_and_beam_needs_a_process_scorer()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5);
        using var prm = UntrainedPrm("1");
        var task = new TaskSpec("arithmetic").Create();
        var problems = task.Problems(TaskSplit.Test, 2);
        var options = new ScalingOptions
        {
            Budgets = [8],
            SampleCounts = [1, 2, 4],
            AnswerTokens = 6,
            TopP = 1,
            Seed = 1,
            BeamWidth = 2,
            Strategies =
            [
                Strategy.Majority,
                Strategy.WeightedMajority,
                Strategy.DeepConf,
                Strategy.Beam,
                Strategy.Dvts,
            ],
        };

        var result = ScalingSweep.Run(lm, task, problems, options, SweepScorer.Of(prm));

        Assert.Equal(
            [
                "cons@1",
                "cons@2",
                "cons@4",
                "weighted@1",
                "weighted@2",
                "weighted@4",
                "deepconf@1",
                "deepconf@2",
                "deepconf@4",
                "beam@2",
                "beam@4",
                "dvts@2",
                "dvts@4",
            ],
            result.Points.Select(p => p.Label)
        );
        Assert.All(result.Points, p => Assert.True(p.FlopsPerProblem > 0));
        // DeepConf never spends more than the vote over the same samples
        foreach (int n in new[] { 1, 2, 4 })
        {
            var cons = result.Points.Single(p => p.Label == $"cons@{n}");
            Assert.True(
                result.Points.Single(p => p.Label == $"deepconf@{n}").TokensPerProblem <= cons.TokensPerProblem
            );
        }

        var e = Assert.Throws<PonderException>(() =>
            ScalingSweep.Run(lm, task, problems, options, new SweepScorer(r => [.. r.Select(_ => 0.5)], lm.Config))
        );
        Assert.Contains("scorer train --process", e.Message, StringComparison.Ordinal);
    }
}
