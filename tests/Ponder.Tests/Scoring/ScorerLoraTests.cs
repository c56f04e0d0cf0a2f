using Ponder.Checkpoints;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Scoring;
using static TorchSharp.torch;

namespace Ponder.Tests.Scoring;

/// <summary>A scorer whose body trains through LoRA adapters: the policy's weights stay, the adapters and head learn,
/// and the saved folder (adapter + head) scores as the trained scorer did.</summary>
public sealed class ScorerLoraTests
{
    [Fact]
    public void Given_lora_When_a_scorer_is_trained_and_saved_Then_only_adapters_and_head_change_and_it_reloads()
    {
        using var dir = new TempDir();
        string policyDir = dir.File("policy");
        using (var made = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5))
            made.Save(policyDir);
        var lm = LanguageModel.Load(policyDir);
        using var scorer = ScorerModel.FromPolicy(lm, ScorerInfo.For(lm, policyDir, 64, "synthetic"));
        Dictionary<string, Tensor> before;
        using (no_grad())
            before = lm.Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        ScorerTests.Train(
            scorer,
            ScorerTests.Synthetic(scorer.Body, 64, 7),
            new ScorerOptions
            {
                Steps = 4,
                BatchSize = 8,
                Lora = new LoraOptions { Rank = 4 },
            }
        );

        foreach (var (name, p) in lm.Network.state_dict())
            Assert.True(p.equal(before[name]).all().item<bool>(), $"{name} changed");
        var adapter = lm.Network.Adapter!;
        Assert.Contains(
            adapter.Parameters,
            p => p.Name.EndsWith("lora_B.weight") && p.Param.abs().sum().item<float>() > 0
        );

        var probe = ScorerTests.Synthetic(scorer.Body, 8, 4).Select(e => e.Ids).ToArray();
        double[] scores = scorer.Score(probe);
        string saved = dir.File("scorer");
        scorer.Save(saved);
        Assert.True(PeftAdapter.IsAdapter(saved)); // the body is the adapter over the policy folder
        using var loaded = ScorerModel.Load(saved);
        Assert.Equal(scores, loaded.Score(probe));
        foreach (var t in before.Values)
            t.Dispose();
    }
}
