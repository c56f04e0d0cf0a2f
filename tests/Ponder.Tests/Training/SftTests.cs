using Ponder.LanguageModels;
using Ponder.Text;
using Ponder.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Training;

public sealed class SftTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    SftData Data() => AdditionData(dir);

    /// <summary>Twelve tiny addition conversations ("add 3 and 4" → "3+4=7" → "7") in <paramref name="folder"/>.
    /// </summary>
    internal static SftData AdditionData(TempDir folder)
    {
        string path = folder.File("data.jsonl");
        var lines = Enumerable
            .Range(0, 12)
            .Select(i =>
                $$"""{"prompt": "add {{i}} and {{i + 1}}", "reasoning": "{{i}}+{{i + 1}}={{2 * i + 1}}", "answer": "{{2 * i + 1}}"}"""
            );
        File.WriteAllLines(path, lines);
        return SftData.FromFile(path, seed: 1);
    }

    static readonly SftOptions Small = new()
    {
        Steps = 6,
        BatchSize = 2,
        GradientAccumulation = 2,
        LearningRate = 3e-3,
        WarmupSteps = 2,
        CheckpointEvery = 3,
    };

    [Fact]
    public void Given_hand_made_logprobs_Then_the_loss_averages_only_masked_tokens_over_the_step_total()
    {
        using var scope = NewDisposeScope();
        var logprobs = tensor(new float[] { -1, -2, -3, -4 }, [2, 2]);
        var mask = tensor(new float[] { 0, 1, 1, 1 }, [2, 2]);
        // masked tokens: −2, −3, −4 → NLL 2 + 3 + 4 = 9; the step has 6 target tokens (two micro-batches) → 9 / 6 = 1.5
        Assert.Equal(1.5f, SftLoss.MaskedNll(logprobs, mask, targetTokens: 6).item<float>(), 6);
    }

    [Fact]
    public void Given_a_conversation_Then_the_loss_mask_marks_exactly_the_assistant_tokens_as_targets()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        var template = new ChatTemplate(tokenizer);
        var (ids, trainable, _) = SftBatch.Tokenize(
            template,
            [new ChatMessage(ChatRole.User, "hi"), new ChatMessage(ChatRole.Assistant, "4", "2+2")],
            1024
        );
        using var scope = NewDisposeScope();
        var (_, attention, lossMask) = SftBatch.Collate([(ids, trainable)], padId: 0, CPU);

        string targets = tokenizer.Decode(ids.Where((_, t) => t > 0 && lossMask[0, t - 1].item<float>() == 1f));
        Assert.Equal("<think>\n2+2\n</think>\n4<|im_end|>", targets);
        Assert.Equal(ids.Length, (int)attention.sum().item<float>());
    }

    [Fact]
    public void Given_an_interrupted_run_When_resumed_from_its_checkpoint_Then_the_loss_sequence_is_identical()
    {
        var straight = new List<double>();
        using (var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5))
        using (var trainer = new SftTrainer(lm, Data(), Small))
        {
            while (!trainer.Finished)
                straight.Add(trainer.Step().Loss);
        }

        var resumed = new List<double>();
        string checkpoints = dir.File("checkpoints");
        using (var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5))
        using (var trainer = new SftTrainer(lm, Data(), Small))
        {
            for (int i = 0; i < 3; i++)
                resumed.Add(trainer.Step().Loss);
            trainer.SaveCheckpoint(checkpoints);
            trainer.Step(); // progress that the "crash" loses
        }
        string latest = TrainingCheckpoint.Latest(checkpoints)!;
        using (var lm = LanguageModel.Load(latest))
        using (var trainer = new SftTrainer(lm, Data(), Small))
        {
            trainer.Resume(latest);
            Assert.Equal(3, trainer.State.Step);
            while (!trainer.Finished)
                resumed.Add(trainer.Step().Loss);
        }

        Assert.Equal(straight, resumed);
    }

    [Fact]
    public void Given_a_half_written_checkpoint_Then_the_previous_complete_one_is_used()
    {
        string checkpoints = dir.File("checkpoints");
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5);
        using var trainer = new SftTrainer(lm, Data(), Small);
        trainer.Step();
        string good = trainer.SaveCheckpoint(checkpoints);
        Directory.CreateDirectory(Path.Combine(checkpoints, "step-000009.tmp")); // a crash mid-write
        Directory.CreateDirectory(Path.Combine(checkpoints, "step-000010")); // no trainer_state.json
        Assert.Equal(good, TrainingCheckpoint.Latest(checkpoints));
    }

    [Fact]
    public void Given_training_steps_Then_no_tensor_outlives_a_step()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5);
        using var trainer = new SftTrainer(lm, Data(), Small);
        trainer.Step(); // gradients are allocated on the first backward
        DisposeScopeManager.Statistics.Reset();
        trainer.Step();
        trainer.Step();
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Trait(Lanes.Category, Lanes.Slow)]
    [Fact]
    public void Given_a_small_dataset_When_trained_Then_the_loss_falls_by_more_than_half()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5);
        using var trainer = new SftTrainer(lm, Data(), Small with { Steps = 60, LearningRate = 1e-2, WarmupSteps = 5 });
        var losses = new List<double>();
        while (!trainer.Finished)
            losses.Add(trainer.Step().Loss);
        Assert.True(
            losses.TakeLast(5).Average() < 0.5 * losses.Take(3).Average(),
            $"loss {losses[0]:F3} → {losses[^1]:F3}"
        );
    }

    [Fact]
    public void Given_the_same_gradients_Then_our_AdamW_matches_torch_optim_AdamW()
    {
        using var scope = NewDisposeScope();
        var ours = new TorchSharp.Modules.Parameter(tensor(new float[] { 1, -2, 3, 0.5f }, [2, 2]));
        var theirs = new TorchSharp.Modules.Parameter(ours.detach().clone());
        using var adam = new AdamW([("w", ours)], beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1);
        var reference = optim.AdamW([theirs], lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1);
        for (int step = 0; step < 3; step++)
        {
            var g = tensor(new float[] { 0.1f * (step + 1), -0.3f, 0.05f, 1f }, [2, 2]);
            ours.grad = g.clone();
            theirs.grad = g.clone();
            adam.Update(0.01);
            reference.step();
        }
        Assert.True((ours - theirs).abs().max().item<float>() < 1e-6f);
    }

    [Theory]
    // warm-up 10 to peak 1.0: step 0 → 0.1, step 9 → 1.0; cosine over steps 10..99 to 0.1: step 10 → 1.0, step 99 →
    // 0.1, halfway (10 + 44.5) → 0.1 + 0.9·0.5 = 0.55
    [InlineData(0, 0.1)]
    [InlineData(9, 1.0)]
    [InlineData(10, 1.0)]
    [InlineData(99, 0.1)]
    public void Given_warmup_and_cosine_Then_the_rate_follows_the_schedule(int step, double expected)
    {
        Assert.Equal(expected, LearningRateSchedule.WarmupCosine(step, 100, 10, 1.0, 0.1), 9);
    }

    [Fact]
    public void Given_a_malformed_data_line_Then_the_error_names_file_and_line()
    {
        string path = dir.File("bad.jsonl");
        File.WriteAllLines(path, ["""{"prompt": "a", "answer": "b"}""", "{not json", ""]);
        var e = Assert.Throws<PonderException>(() => SftData.FromFile(path, 0));
        Assert.Contains("bad.jsonl:2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_generated_task_Then_sft_data_is_distinct_problems_plus_the_drawn_share_asked_for()
    {
        var task = new Ponder.Tasks.Generated.ArithmeticTask(
            new Ponder.Tasks.Generated.ArithmeticOptions { MinDigits = 1, MaxDigits = 1 }
        );

        var distinct = SftData.FromTask(task, seed: 0, poolSize: 50);
        var drawn = SftData.FromTask(task, seed: 0, poolSize: 500, drawnShare: 1);
        var mixed = SftData.FromTask(task, seed: 0, poolSize: 50, drawnShare: 0.3);

        // One-digit problems: 210 keys, ~90 % in the training split; 500 draws must repeat some.
        Assert.Equal("arithmetic reference traces (50 problems)", distinct.Description);
        Assert.Equal(500, drawn.Size);
        Assert.Matches(@"^arithmetic reference traces \(500 draws of \d+ distinct problems\)$", drawn.Description);
        int unique = int.Parse(
            System.Text.RegularExpressions.Regex.Match(drawn.Description, @"of (\d+) distinct").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture
        );
        Assert.InRange(unique, 100, 499);
        // 50 distinct problems are 70 % of the pool, so 50 · 0.3 / 0.7 = 21.4 → 21 draws make up the rest.
        Assert.Equal("arithmetic reference traces (50 problems and 21 draws)", mixed.Description);
        Assert.Equal(71, mixed.Size);
        var firstEpoch = Enumerable.Range(0, 71).Select(p => mixed.Get(p)[0].Content).ToList();
        Assert.True(firstEpoch.Distinct().Count() < 71, "the draws repeat some problems within an epoch");
        Assert.Throws<PonderException>(() => SftData.FromTask(task, seed: 0, poolSize: 50, drawnShare: 1.5));
        Assert.Throws<PonderException>(() => SftData.FromTask(task, seed: 0, poolSize: 50, drawnShare: 0.95));
    }
}

public sealed class TokenLogprobsTests
{
    [Fact]
    public void Given_right_padding_Then_no_mask_gives_the_masked_logprobs_at_real_tokens()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var ids = tensor(new long[] { 5, 6, 7, 8, 9, 3, 4, 0, 0, 0 }, [2, 5]); // row 2 right-padded after 2 tokens
        var attention = tensor(new float[] { 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, [2, 5]);
        var masked = TokenLogprobs.Compute(model, ids, attention);
        var unmasked = TokenLogprobs.Compute(model, ids, null);
        Assert.True((masked[0] - unmasked[0]).abs().max().item<float>() < 1e-5f);
        Assert.True((masked[1, ..1] - unmasked[1, ..1]).abs().max().item<float>() < 1e-5f); // the one real prediction
    }
}
