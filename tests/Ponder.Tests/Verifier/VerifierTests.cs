using Ponder.Verifier;
using TorchSharp;

namespace Ponder.Tests.Verifier;

/// <summary>The outcome verifier: it learns a visible correctness signal, round-trips through its directory, refuses
/// a policy it was not trained for, and leaves no tensors behind.</summary>
public sealed class VerifierTests
{
    /// <summary>Random letters, then "=Y" (correct) or "=N" (wrong): correctness is visible in the last token, which
    /// sits at a different position in every sequence (so padding and the last-token read are exercised).</summary>
    static List<VerifierExample> Synthetic(LanguageModel lm, int count, int seed)
    {
        var rng = new Random(seed);
        var examples = new List<VerifierExample>();
        for (int i = 0; i < count; i++)
        {
            bool correct = rng.Next(2) == 0;
            string text = new string(Enumerable.Range(0, rng.Next(4, 16)).Select(_ => (char)('a' + rng.Next(26))).ToArray()) + (correct ? "=Y" : "=N");
            examples.Add(new VerifierExample($"p{i}", lm.Tokenizer.Encode(text).ToArray(), correct));
        }
        return examples;
    }

    static VerifierModel NewVerifier(long seed = 5)
    {
        var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed);
        return VerifierModel.FromPolicy(lm, VerifierInfo.For(lm, "scratch", 64, "synthetic"));
    }

    [Fact]
    public void Given_a_synthetic_set_When_trained_Then_held_out_auc_beats_chance_by_far()
    {
        using var verifier = NewVerifier();
        var train = Synthetic(verifier.Body, 256, seed: 1);
        var heldOut = Synthetic(verifier.Body, 64, seed: 2);
        Assert.Equal(0.5, VerifierTraining.Evaluate(verifier, heldOut).Auc);   // zero head: every score is ½, a full tie

        using (var trainer = new VerifierTrainer(verifier, train, new VerifierOptions { Steps = 60, BatchSize = 16, LearningRate = 2e-3, WarmupSteps = 5 }))
            for (int s = 0; s < 60; s++) trainer.Step();

        var report = VerifierTraining.Evaluate(verifier, heldOut);
        Assert.True(report.Auc > 0.9, $"held-out AUC {report.Auc}");
        Assert.True(report.Brier < 0.2, $"Brier {report.Brier}");
    }

    [Fact]
    public void Given_a_saved_verifier_When_loaded_Then_scores_are_identical_and_the_info_round_trips()
    {
        using var dir = new TempDir();
        using var verifier = NewVerifier();
        using (var trainer = new VerifierTrainer(verifier, Synthetic(verifier.Body, 32, 3), new VerifierOptions { Steps = 3, BatchSize = 8, LearningRate = 1e-3 }))
            for (int s = 0; s < 3; s++) trainer.Step();
        var probe = Synthetic(verifier.Body, 8, 4).Select(e => e.Ids).ToArray();
        double[] before = verifier.Score(probe);
        verifier.Save(dir.Path);

        using var policy = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 9);   // same tokenizer and architecture
        using var loaded = VerifierModel.Load(dir.Path, policy);
        Assert.Equal(before, loaded.Score(probe));
        Assert.Equal(verifier.Info.TokenizerSha256, loaded.Info.TokenizerSha256);
        Assert.Equal("qwen2", loaded.Info.Architecture);
    }

    [Fact]
    public void Given_a_verifier_for_another_tokenizer_or_architecture_When_checked_Then_it_is_refused_with_a_reason()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 1);
        var info = VerifierInfo.For(lm, "base", 64, null);
        string sha = VerifierInfo.Fingerprint(lm.Tokenizer);

        var tokenizer = Assert.Throws<PonderException>(() => info.CheckCompatible(new string('0', 64), lm.Tokenizer.VocabSize + 1, "qwen2", "v"));
        Assert.Contains("another tokenizer", tokenizer.Message, StringComparison.Ordinal);
        Assert.Contains("ponder verifier train", tokenizer.Message, StringComparison.Ordinal);
        var arch = Assert.Throws<PonderException>(() => info.CheckCompatible(sha, lm.Tokenizer.VocabSize, "llama", "v"));
        Assert.Contains("qwen2 policy, not llama", arch.Message, StringComparison.Ordinal);

        using var llama = LanguageModel.CreateFromScratch("tiny", "llama", seed: 1);
        Assert.Throws<PonderException>(() => info.CheckCompatible(llama, "v"));
        info.CheckCompatible(lm, "v");   // its own policy passes
    }

    [Fact]
    public void Given_a_warmed_up_verifier_When_scoring_and_training_more_steps_Then_no_tensor_is_left_alive()
    {
        using var verifier = NewVerifier();
        var data = Synthetic(verifier.Body, 16, 6);
        var probe = data.Select(e => e.Ids).ToArray();
        using var trainer = new VerifierTrainer(verifier, data, new VerifierOptions { Steps = 10, BatchSize = 4 });
        trainer.Step();            // allocates the gradients and rotary tables once
        verifier.Score(probe);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (int s = 0; s < 3; s++)
        {
            trainer.Step();
            verifier.Score(probe);
        }

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Given_a_long_sequence_When_making_the_input_Then_the_last_tokens_are_kept()
    {
        Assert.Equal([3, 4, 5], VerifierBatch.Input([1, 2], [3, 4, 5], 3));
        Assert.Equal([1, 2, 3], VerifierBatch.Input([1], [2, 3], 8));
    }
}
