using Ponder.LanguageModels;
using Ponder.Scoring;
using TorchSharp;

namespace Ponder.Tests.Scoring;

/// <summary>The outcome scorer: it learns a visible correctness signal, round-trips through its directory, refuses
/// a policy it was not trained for, and leaves no tensors behind.</summary>
public sealed class ScorerTests
{
    /// <summary>Random letters (the "prompt"), then the completion "=Y" (correct) or "=N" (wrong): correctness is
    /// visible in the last token, which sits at a different position in every sequence (so padding and the last-token
    /// read are exercised).</summary>
    internal static List<ScorerExample> Synthetic(LanguageModel lm, int count, int seed)
    {
        var rng = new Random(seed);
        var examples = new List<ScorerExample>();
        for (int i = 0; i < count; i++)
        {
            bool correct = rng.Next(2) == 0;
            string text =
                new string(Enumerable.Range(0, rng.Next(4, 16)).Select(_ => (char)('a' + rng.Next(26))).ToArray())
                + (correct ? "=Y" : "=N");
            var ids = lm.Tokenizer.Encode(text).ToArray();
            examples.Add(new ScorerExample($"p{i}", ids, correct, CompletionStart: ids.Length - 2));
        }
        return examples;
    }

    /// <summary>Runs all <see cref="ScorerOptions.Steps"/> optimizer steps of a fresh trainer.</summary>
    internal static void Train(ScorerModel scorer, IReadOnlyList<ScorerExample> data, ScorerOptions options)
    {
        using var trainer = new ScorerTrainer(scorer, data, options);
        for (int s = 0; s < options.Steps; s++)
            trainer.Step();
    }

    internal static ScorerModel NewScorer(long seed = 5)
    {
        var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed);
        return ScorerModel.FromPolicy(lm, ScorerInfo.For(lm, "scratch", 64, "synthetic"));
    }

    [Fact]
    public void Given_a_synthetic_set_When_trained_Then_held_out_auc_beats_chance_by_far()
    {
        using var scorer = NewScorer();
        var train = Synthetic(scorer.Body, 256, seed: 1);
        var heldOut = Synthetic(scorer.Body, 64, seed: 2);
        Assert.Equal(0.5, ScorerTraining.Evaluate(scorer, heldOut).Auc); // zero head: every score is ½, a full tie

        Train(
            scorer,
            train,
            new ScorerOptions
            {
                Steps = 60,
                BatchSize = 16,
                LearningRate = 2e-3,
                WarmupSteps = 5,
            }
        );

        var report = ScorerTraining.Evaluate(scorer, heldOut);
        Assert.True(report.Auc > 0.9, $"held-out AUC {report.Auc}");
        Assert.True(report.Brier < 0.2, $"Brier {report.Brier}");
    }

    [Fact]
    public void Given_a_completion_When_confidence_features_are_taken_Then_they_are_the_mean_and_lowest_token_logprob()
    {
        using var scorer = NewScorer();
        int[] a = [.. scorer.Body.Tokenizer.Encode("question=answer")];
        int[] b = [.. scorer.Body.Tokenizer.Encode("q=ab")];
        int startA = 9,
            startB = 2; // completions "answer" and "ab"
        using var scope = torch.NewDisposeScope();
        var (ids, attention) = ScorerBatch.Collate([a, b], scorer.PadId, scorer.Body.Network.Device);
        var features = scorer.ConfidenceFeatures(
            scorer.Body.Network.Hidden(ids, attention),
            ids,
            attention,
            [startA, startB]
        );

        // Independently: the body's log-softmax over each sequence alone (no padding), token k read at position k − 1.
        foreach (var (row, seq, start) in new[] { (0, a, startA), (1, b, startB) })
        {
            var logp = scorer
                .Body.Network.Forward(torch.tensor(seq.Select(x => (long)x).ToArray()).unsqueeze(0))
                .log_softmax(-1)[0];
            double[] token =
            [
                .. Enumerable
                    .Range(start, seq.Length - start)
                    .Select(k => logp[k - 1, seq[k]].item<float>())
                    .Select(v => (double)v),
            ];
            Assert.Equal(token.Average(), features[row, 0].item<float>(), 4);
            Assert.Equal(token.Min(), features[row, 1].item<float>(), 4);
        }
    }

    [Fact]
    public void Given_a_head_file_without_confidence_weights_When_loaded_Then_they_are_zero_and_the_head_scores_alone()
    {
        using var dir = new TempDir();
        using var scorer = NewScorer();
        Train(
            scorer,
            Synthetic(scorer.Body, 32, 3),
            new ScorerOptions
            {
                Steps = 3,
                BatchSize = 8,
                LearningRate = 1e-2,
            }
        );
        scorer.Save(dir.Path);
        // Rewrite the head file as scorers before the confidence features were written: weight and bias only.
        string headPath = Path.Combine(dir.Path, ScorerModel.HeadFile);
        var tensors = Ponder.Checkpoints.SafeTensors.Read(headPath, torch.ScalarType.Float32, torch.CPU);
        Assert.True(tensors.Remove("scorer_head.confidence", out var confidence));
        Assert.NotEqual(0f, confidence!.abs().sum().item<float>()); // trained: it moved from 0
        Ponder.Checkpoints.SafeTensors.Write(headPath, tensors);
        foreach (var t in tensors.Values.Append(confidence))
            t.Dispose();

        using var loaded = ScorerModel.Load(dir.Path);
        var probe = Synthetic(scorer.Body, 4, 4);
        using var scope = torch.NewDisposeScope();
        var (ids, attention) = ScorerBatch.Collate(
            probe.Select(e => e.Ids).ToArray(),
            loaded.PadId,
            loaded.Body.Network.Device
        );
        var headAlone = loaded
            .PositionLogits(ids, attention)
            .gather(1, ScorerBatch.LastIndex(attention).unsqueeze(1))
            .squeeze(1);
        Assert.Equal(
            headAlone.sigmoid().to(torch.ScalarType.Float64).data<double>().ToArray(),
            loaded.Score(probe.Select(e => e.Ids).ToArray())
        );
    }

    [Fact]
    public void Given_the_default_options_When_trained_Then_the_body_stays_the_policy_and_only_the_head_learns()
    {
        using var scorer = NewScorer();
        var body = scorer
            .Parameters.Where(p => !p.Name.StartsWith("scorer_head", StringComparison.Ordinal))
            .Select(p => (p.Name, Before: p.Param.detach().clone()))
            .ToList();
        Train(scorer, Synthetic(scorer.Body, 64, 7), new ScorerOptions { Steps = 5, BatchSize = 8 });

        var now = scorer.Parameters.ToDictionary(p => p.Name, p => p.Param);
        Assert.All(body, b => Assert.True(b.Before.eq(now[b.Name]).all().item<bool>(), $"{b.Name} changed"));
        Assert.NotEqual(0f, now["scorer_head.weight"].abs().sum().item<float>()); // started at 0
        Assert.NotEqual(0f, now[ScorerModel.ConfidenceWeight].abs().sum().item<float>()); // started at 0
        foreach (var b in body)
            b.Before.Dispose();
    }

    [Fact]
    public void Given_a_saved_scorer_When_loaded_Then_scores_are_identical_and_the_info_round_trips()
    {
        using var dir = new TempDir();
        using var scorer = NewScorer();
        Train(
            scorer,
            Synthetic(scorer.Body, 32, 3),
            new ScorerOptions
            {
                Steps = 3,
                BatchSize = 8,
                LearningRate = 1e-3,
            }
        );
        var probe = Synthetic(scorer.Body, 8, 4).Select(e => e.Ids).ToArray();
        double[] before = scorer.Score(probe);
        scorer.Save(dir.Path);

        using var policy = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 9); // same tokenizer and architecture
        using var loaded = ScorerModel.Load(dir.Path, policy);
        Assert.Equal(before, loaded.Score(probe));
        Assert.Equal(scorer.Info.TokenizerSha256, loaded.Info.TokenizerSha256);
        Assert.Equal("qwen2", loaded.Info.Architecture);
    }

    [Fact]
    public void Given_a_directory_written_as_a_verifier_When_loaded_Then_it_scores_as_the_scorer_it_was()
    {
        // Directories from before the rename hold verifier.json and verifier_head.safetensors with verifier_head.*
        // keys.
        using var dir = new TempDir();
        using var scorer = NewScorer();
        Train(
            scorer,
            Synthetic(scorer.Body, 32, 3),
            new ScorerOptions
            {
                Steps = 3,
                BatchSize = 8,
                LearningRate = 1e-2,
            }
        );
        var probe = Synthetic(scorer.Body, 8, 4).Select(e => e.Ids).ToArray();
        double[] before = scorer.Score(probe);
        Assert.Contains(before, p => Math.Abs(p - 0.5) > 1e-4); // a trained head, not the untrained ½
        scorer.Save(dir.Path);
        File.Move(dir.File(ScorerInfo.FileName), dir.File("verifier.json"));
        using (var scope = torch.NewDisposeScope())
        {
            var head = Ponder.Checkpoints.SafeTensors.Read(dir.File(ScorerModel.HeadFile));
            Ponder.Checkpoints.SafeTensors.Write(
                dir.File("verifier_head.safetensors"),
                head.ToDictionary(
                    kv => kv.Key.Replace("scorer_head.", "verifier_head.", StringComparison.Ordinal),
                    kv => kv.Value
                )
            );
        }
        File.Delete(dir.File(ScorerModel.HeadFile));

        using var loaded = ScorerModel.Load(dir.Path);

        Assert.Equal(before, loaded.Score(probe));
    }

    [Fact]
    public void Given_a_scorer_for_another_tokenizer_or_architecture_When_checked_Then_it_is_refused_with_a_reason()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 1);
        var info = ScorerInfo.For(lm, "base", 64, null);
        string sha = ScorerInfo.Fingerprint(lm.Tokenizer);

        var tokenizer = Assert.Throws<PonderException>(() =>
            info.CheckCompatible(new string('0', 64), lm.Tokenizer.VocabSize + 1, "qwen2", "v")
        );
        Assert.Contains("another tokenizer", tokenizer.Message, StringComparison.Ordinal);
        Assert.Contains("ponder scorer train", tokenizer.Message, StringComparison.Ordinal);
        var arch = Assert.Throws<PonderException>(() =>
            info.CheckCompatible(sha, lm.Tokenizer.VocabSize, "llama", "v")
        );
        Assert.Contains("qwen2 policy, not llama", arch.Message, StringComparison.Ordinal);

        using var llama = LanguageModel.CreateFromScratch("tiny", "llama", seed: 1);
        Assert.Throws<PonderException>(() => info.CheckCompatible(llama, "v"));
        info.CheckCompatible(lm, "v"); // its own policy passes
    }

    [Theory]
    [InlineData(false, false, 0)]
    [InlineData(true, true, 0)]
    [InlineData(true, false, 1)]
    public void Given_a_warmed_up_scorer_When_scoring_and_training_more_steps_Then_no_tensor_is_left_alive(
        bool trainBody,
        bool everyToken,
        double pairwise
    )
    {
        using var scorer = NewScorer();
        // 4 problems of 4
        var data = Synthetic(scorer.Body, 16, 6).Select((e, i) => e with { ProblemId = $"p{i / 4}" }).ToList();
        var probe = data.Select(e => e.Ids).ToArray();
        using var trainer = new ScorerTrainer(
            scorer,
            data,
            new ScorerOptions
            {
                Steps = 10,
                BatchSize = 4,
                TrainBody = trainBody,
                EveryToken = everyToken,
                PairwiseWeight = pairwise,
            }
        );
        trainer.Step(); // allocates the gradients and rotary tables once
        scorer.Score(probe);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (int s = 0; s < 3; s++)
        {
            trainer.Step();
            scorer.Score(probe);
        }

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Given_a_long_sequence_When_making_the_input_Then_the_last_tokens_are_kept()
    {
        Assert.Equal([3, 4, 5], ScorerBatch.Input([1, 2], [3, 4, 5], 3));
        Assert.Equal([1, 2, 3], ScorerBatch.Input([1], [2, 3], 8));
    }

    [Fact]
    public void Given_a_prompt_and_completion_When_made_an_example_Then_the_completion_start_follows_the_cut()
    {
        Assert.Equal(1, ScorerBatch.Example("p", [1], [2, 3], true, 8).CompletionStart); // nothing cut
        var cut = ScorerBatch.Example("p", [1, 2, 3], [4, 5], false, 4); // [2, 3, 4, 5]: one prompt token cut
        Assert.Equal([2, 3, 4, 5], cut.Ids);
        Assert.Equal(2, cut.CompletionStart);
        // the prompt cut away entirely
        Assert.Equal(0, ScorerBatch.Example("p", [1, 2], [3, 4, 5], true, 3).CompletionStart);
    }
}
