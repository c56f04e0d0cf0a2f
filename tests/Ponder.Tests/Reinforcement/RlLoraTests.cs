using Ponder.Checkpoints;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Reinforcement;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Tests.Reinforcement;

/// <summary>RL with LoRA adapters: the base model is the KL reference (no copy), the base weights never change, and a
/// resumed run equals an uninterrupted one.</summary>
[Trait(Lanes.Category, Lanes.Slow)]
public sealed class RlLoraTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static RlOptions Options() =>
        RlTrainerTests.Small() with
        {
            LearningRate = 1e-2,
            Policy = new Ponder.Algorithms.PolicyOptions { Beta = 0.05 },
            Lora = new LoraOptions { Rank = 4 },
        };

    /// <summary>A tiny model taught the reasoning format by a few SFT steps, so its rollouts' rewards differ within a
    /// group (a random one seldom closes its reasoning: every reward 0, no gradient).</summary>
    string Base() => TrainedBase(dir);

    internal static string TrainedBase(TempDir dir)
    {
        string path = dir.File("base");
        if (Directory.Exists(path))
            return path;
        string data = dir.File("sft.jsonl");
        File.WriteAllLines(
            data,
            Enumerable
                .Range(0, 16)
                .Select(i =>
                    "{\"prompt\": \""
                    + i
                    + "\", \"reasoning\": \""
                    + i
                    + " mod 2\", \"answer\": \""
                    + (char)('a' + i % 3)
                    + "\"}"
                )
        );
        using var made = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using (var sft = new SftTrainer(made, SftData.FromFile(data, seed: 1), SftWarmup))
        {
            while (!sft.Finished)
                sft.Step();
        }
        made.Save(path);
        return path;
    }

    static readonly SftOptions SftWarmup = new()
    {
        Steps = 40,
        BatchSize = 8,
        LearningRate = 1e-2,
        WarmupSteps = 2,
    };

    static IEnumerable<double> Tracked(RlStep s) =>
        [s.Metrics["reward/mean"], s.Metrics["loss/policy"], s.Metrics["loss/kl"]];

    [Fact]
    public void Given_lora_rl_with_a_kl_penalty_Then_the_base_is_the_reference_and_never_changes()
    {
        using var lm = LanguageModel.Load(Base());
        Dictionary<string, Tensor> before;
        using (no_grad())
            before = lm.Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var trainer = new RlTrainer(lm, new ParityTask(), Options());
        var kl = new List<double>();
        while (!trainer.Finished)
            kl.Add(trainer.Step().Metrics["loss/kl"]);

        Assert.Equal(0, kl[0], 6); // the first step's policy is the base: no divergence yet
        Assert.True(kl[^1] > 0, "the adapters moved the policy away from the base");
        foreach (var (name, p) in lm.Network.state_dict())
            Assert.True(p.equal(before[name]).all().item<bool>(), $"{name} changed");
        string checkpoint = trainer.SaveCheckpoint(dir.File("ck"));
        Assert.True(PeftAdapter.IsAdapter(checkpoint));
        Assert.False(File.Exists(Path.Combine(checkpoint, ReferencePolicy.FileName))); // the base is the reference
        foreach (var t in before.Values)
            t.Dispose();
    }

    [Fact]
    public void Given_an_interrupted_lora_run_When_resumed_Then_its_metrics_equal_the_uninterrupted_run()
    {
        var straight = new List<double>();
        using (var lm = LanguageModel.Load(Base()))
        using (var trainer = new RlTrainer(lm, new ParityTask(), Options()))
        {
            while (!trainer.Finished)
                straight.AddRange(Tracked(trainer.Step()));
        }

        var resumed = new List<double>();
        string checkpoints = dir.File("ck");
        using (var lm = LanguageModel.Load(Base()))
        using (var trainer = new RlTrainer(lm, new ParityTask(), Options()))
        {
            for (int i = 0; i < 2; i++)
                resumed.AddRange(Tracked(trainer.Step()));
            trainer.SaveCheckpoint(checkpoints);
            trainer.Step(); // lost in the "crash"
        }
        string latest = TrainingCheckpoint.Latest(checkpoints)!;
        using (var lm = LanguageModel.Load(latest))
        using (var trainer = new RlTrainer(lm, new ParityTask(), Options()))
        {
            trainer.Resume(latest);
            while (!trainer.Finished)
                resumed.AddRange(Tracked(trainer.Step()));
        }
        Assert.Equal(straight, resumed);
    }

    [Fact]
    public void Given_lora_Then_the_memory_estimate_counts_only_the_adapters_optimizer_state()
    {
        var config = TinyModels.Llama(); // hidden 64, q/o 4 × 16, k/v 2 × 16, MLP 128, 2 layers
        // per layer r × (in + out): q 64+64, k 64+32, v 64+32, o 64+64, gate 64+128, up 64+128, down 128+64 = 1024
        // × rank 8 × 2 layers = 16,384
        Assert.Equal(16_384, MemoryCheck.LoraParameters(config, new LoraOptions { Rank = 8 }));
        var full = MemoryCheck.Estimate(config, RlTrainerTests.Small() with { Policy = new() { Beta = 0.1 } });
        var lora = MemoryCheck.Estimate(
            config,
            RlTrainerTests.Small() with
            {
                Policy = new() { Beta = 0.1 },
                Lora = new LoraOptions { Rank = 8 },
            }
        );
        double p = config.ParameterCount;
        Assert.Equal(p * 4, full.Reference); // a float32 copy for the KL
        Assert.Equal(p * (4 + 8), full.Optimizer); // gradient + two moments, float32
        Assert.Equal(0, lora.Reference);
        Assert.Equal(16_384 * (4 + 8), lora.Optimizer);
        Assert.Equal(full.Activations, lora.Activations);
    }
}
