using Ponder.Checkpoints;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Tests.Training;

public sealed class SftLoraTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    SftData Data() => SftTests.AdditionData(dir);

    /// <summary>Dropout on, so the resume test also covers the masks' seeding.</summary>
    static readonly SftOptions Small = new()
    {
        Steps = 6,
        BatchSize = 2,
        GradientAccumulation = 2,
        LearningRate = 1e-2,
        WarmupSteps = 2,
        CheckpointEvery = 3,
        Lora = new LoraOptions { Rank = 4, Dropout = 0.1 },
    };

    string Base()
    {
        string path = dir.File("base");
        if (!Directory.Exists(path))
        {
            using var made = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5);
            made.Save(path);
        }
        return path;
    }

    [Fact]
    public void Given_lora_sft_Then_only_the_adapters_change_and_the_loss_falls()
    {
        using var lm = LanguageModel.Load(Base());
        Dictionary<string, Tensor> before;
        using (no_grad())
            before = lm.Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var trainer = new SftTrainer(lm, Data(), Small);
        var losses = new List<double>();
        while (!trainer.Finished)
            losses.Add(trainer.Step().Loss);

        foreach (var (name, p) in lm.Network.state_dict())
            Assert.True(p.equal(before[name]).all().item<bool>(), $"{name} changed");
        Assert.Contains(
            lm.Network.Adapter!.Parameters,
            p => p.Param.abs().sum().item<float>() > 0 && p.Name.Contains("lora_B")
        );
        Assert.True(losses[^1] < losses[0], $"loss {losses[0]} → {losses[^1]}");
        foreach (var t in before.Values)
            t.Dispose();
    }

    [Fact]
    public void Given_an_interrupted_lora_run_When_resumed_Then_the_loss_sequence_is_identical()
    {
        var straight = new List<double>();
        using (var lm = LanguageModel.Load(Base()))
        using (var trainer = new SftTrainer(lm, Data(), Small))
        {
            while (!trainer.Finished)
                straight.Add(trainer.Step().Loss);
        }

        var resumed = new List<double>();
        string checkpoints = dir.File("checkpoints");
        using (var lm = LanguageModel.Load(Base()))
        using (var trainer = new SftTrainer(lm, Data(), Small))
        {
            for (int i = 0; i < 3; i++)
                resumed.Add(trainer.Step().Loss);
            trainer.SaveCheckpoint(checkpoints);
            trainer.Step(); // progress that the "crash" loses
        }

        string latest = TrainingCheckpoint.Latest(checkpoints)!;
        Assert.True(PeftAdapter.IsAdapter(latest)); // the checkpoint holds the adapter, not a copy of the base
        using (var lm = LanguageModel.Load(latest))
        using (var trainer = new SftTrainer(lm, Data(), Small))
        {
            trainer.Resume(latest);
            while (!trainer.Finished)
                resumed.Add(trainer.Step().Loss);
        }

        Assert.Equal(straight, resumed);
    }

    [Fact]
    public void Given_an_adapter_of_another_shape_When_training_Then_the_options_are_refused()
    {
        using var lm = LanguageModel.Load(Base());
        lm.AttachAdapter(new LoraOptions { Rank = 8 }, seed: 0);
        var e = Assert.Throws<PonderException>(() => new SftTrainer(lm, Data(), Small));
        Assert.Contains("rank 8", e.Message);
        Assert.Contains("rank 4", e.Message);
    }
}
