using System.Text.Json;
using Ponder.Checkpoints;
using Ponder.LanguageModels;
using Ponder.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Model;

public sealed class LoraTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>A saved "tiny" qwen2 model (hidden 64, 2 layers, 4 heads × 16, 2 kv heads, MLP 192), loaded back so it
    /// knows its folder.</summary>
    LanguageModel BaseModel(string name = "base")
    {
        string path = dir.File(name);
        using (var made = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 3))
            made.Save(path);
        return LanguageModel.Load(path);
    }

    static Tensor Ids() => tensor(new long[] { 5, 17, 42, 99, 7, 3, 120, 64 }, [2, 4]);

    static Tensor Logits(LanguageModel lm)
    {
        using var _ = no_grad();
        return lm.Network.Forward(Ids()).DetachFromDisposeScope();
    }

    static void Randomize(LoraAdapter adapter, long seed)
    {
        var g = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in adapter.Parameters)
        {
            if (name.EndsWith("lora_B.weight", StringComparison.Ordinal))
                p.normal_(0, 0.05, g);
        }
    }

    [Fact]
    public void Given_a_fresh_adapter_Then_the_logits_are_exactly_the_base_models()
    {
        using var lm = BaseModel();
        using var before = Logits(lm);
        lm.AttachAdapter(new LoraOptions { Rank = 4 }, seed: 1);
        using var after = Logits(lm);
        Assert.True(before.equal(after).all().item<bool>()); // B = 0: the adapters add exactly 0
        Assert.All(lm.Network.parameters(), p => Assert.False(p.requires_grad)); // the base is frozen
        Assert.All(lm.Network.Adapter!.Parameters, p => Assert.True(p.Param.requires_grad));
    }

    [Fact]
    public void Given_a_trained_adapter_When_merged_Then_the_logits_match_the_adapter_forward()
    {
        using var lm = BaseModel();
        using var plain = Logits(lm);
        var adapter = lm.AttachAdapter(new LoraOptions { Rank = 4, Alpha = 8 }, seed: 1);
        Randomize(adapter, 2);
        using var adapted = Logits(lm);
        Assert.True((adapted - plain).abs().max().item<float>() > 1e-3); // the adapter changes the model
        using (var _ = adapter.Disable())
        using (var off = Logits(lm))
            Assert.True(off.equal(plain).all().item<bool>()); // switched off: the base model exactly

        lm.Network.MergeAdapter();
        Assert.Null(lm.Network.Adapter);
        using var merged = Logits(lm);
        Assert.True((merged - adapted).abs().max().item<float>() <= 1e-5);
        using (var _ = inference_mode())
        using (var fused = lm.Network.Forward(Ids())) // the fused q/k/v and gate/up path sees the merged weights
            Assert.True((fused - adapted).abs().max().item<float>() <= 1e-5);
    }

    [Fact]
    public void Given_an_adapter_in_inference_mode_Then_the_unfused_path_adds_it()
    {
        using var lm = BaseModel();
        var adapter = lm.AttachAdapter(new LoraOptions { Rank = 2, Targets = ["k_proj", "up_proj"] }, seed: 1);
        Randomize(adapter, 4);
        using var training = Logits(lm);
        using var _ = inference_mode();
        using var inference = lm.Network.Forward(Ids());
        Assert.True((inference - training).abs().max().item<float>() <= 1e-5);
    }

    [Fact]
    public void Given_rank_and_alpha_Then_the_scale_is_peft_s()
    {
        Assert.Equal(2.0, new LoraOptions { Rank = 8, Alpha = 16 }.Scale); // alpha / r = 16 / 8
        Assert.Equal(
            4.0,
            new LoraOptions
            {
                Rank = 16,
                Alpha = 16,
                UseRsLora = true,
            }.Scale
        ); // alpha / √r = 16 / 4
    }

    /// <summary>LoraConfig's and PeftConfig's fields, from huggingface/peft at 5d602fd (src/peft/tuners/lora/config.py
    /// and src/peft/config.py), of those Ponder writes: a name outside this list would make PEFT's from_pretrained
    /// fail.</summary>
    static readonly string[] PeftLoraConfigFields =
    [
        "alpha_pattern",
        "base_model_name_or_path",
        "bias",
        "fan_in_fan_out",
        "inference_mode",
        "init_lora_weights",
        "layers_pattern",
        "layers_to_transform",
        "lora_alpha",
        "lora_bias",
        "lora_dropout",
        "modules_to_save",
        "peft_type",
        "r",
        "rank_pattern",
        "revision",
        "target_modules",
        "task_type",
        "use_dora",
        "use_rslora",
    ];

    [Fact]
    public void Given_a_saved_adapter_Then_its_keys_and_config_are_peft_s()
    {
        using var lm = BaseModel();
        lm.AttachAdapter(
            new LoraOptions
            {
                Rank = 4,
                Alpha = 8,
                Targets = ["q_proj", "v_proj"],
            },
            seed: 1
        );
        string adapterDir = dir.File("adapter");
        lm.Save(adapterDir);

        // PEFT's save_pretrained: "base_model.model." + the base model's parameter path + ".lora_A.weight", A (r, in),
        // B (out, r); v_proj's out is kv heads × head dim = 2 × 16.
        var header = SafeTensors.ReadHeader(Path.Combine(adapterDir, PeftAdapter.WeightsFile));
        var expected = new Dictionary<string, long[]>();
        foreach (int layer in new[] { 0, 1 })
        {
            string stem = $"base_model.model.model.layers.{layer}.self_attn";
            expected[$"{stem}.q_proj.lora_A.weight"] = [4, 64];
            expected[$"{stem}.q_proj.lora_B.weight"] = [64, 4];
            expected[$"{stem}.v_proj.lora_A.weight"] = [4, 64];
            expected[$"{stem}.v_proj.lora_B.weight"] = [32, 4];
        }
        Assert.Equal(expected.Keys.Order(), header.Tensors.Select(t => t.Name).Order());
        foreach (var t in header.Tensors)
            Assert.Equal(expected[t.Name], t.Shape.ToArray());

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(adapterDir, PeftAdapter.ConfigFile)));
        var root = json.RootElement;
        Assert.All(root.EnumerateObject(), p => Assert.Contains(p.Name, PeftLoraConfigFields));
        Assert.Equal("LORA", root.GetProperty("peft_type").GetString());
        Assert.Equal("CAUSAL_LM", root.GetProperty("task_type").GetString());
        Assert.Equal(4, root.GetProperty("r").GetInt32());
        Assert.Equal(8, root.GetProperty("lora_alpha").GetDouble());
        Assert.Equal("none", root.GetProperty("bias").GetString());
        Assert.Equal(
            ["q_proj", "v_proj"],
            root.GetProperty("target_modules").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Equal(dir.File("base"), root.GetProperty("base_model_name_or_path").GetString());
        Assert.False(File.Exists(Path.Combine(adapterDir, ModelDirectory.WeightsFile))); // the adapter alone
    }

    [Fact]
    public void Given_an_adapter_folder_as_the_model_Then_it_loads_over_its_base_with_the_same_logits()
    {
        string adapterDir = dir.File("adapter");
        Tensor adapted;
        using (var lm = BaseModel())
        {
            Randomize(lm.AttachAdapter(new LoraOptions { Rank = 4 }, seed: 1), 5);
            adapted = Logits(lm);
            lm.Save(adapterDir);
        }

        using (adapted)
        using (var loaded = LanguageModel.Load(adapterDir))
        using (var again = Logits(loaded))
        {
            Assert.NotNull(loaded.Network.Adapter);
            Assert.True(again.equal(adapted).all().item<bool>());
        }

        // A relative base path resolves from the adapter's folder; --base overrides a path that is not here.
        string config = Path.Combine(adapterDir, PeftAdapter.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace(dir.File("base"), "../base"));
        using (var relative = LanguageModel.Load(adapterDir))
            Assert.Equal(dir.File("base"), relative.BaseDirectory);
        File.WriteAllText(config, File.ReadAllText(config).Replace("../base", "Qwen/Qwen2.5-0.5B"));
        var e = Assert.Throws<PonderException>(() => LanguageModel.Load(adapterDir));
        Assert.Contains("base_model_name_or_path \"Qwen/Qwen2.5-0.5B\"", e.Message);
        Assert.Contains("--base DIR", e.Message);
        using (var given = LanguageModel.Load(adapterDir, baseDir: dir.File("base")))
            Assert.NotNull(given.Network.Adapter);
    }

    [Theory]
    [InlineData("\"use_dora\": false", "\"use_dora\": true", "use_dora")]
    [InlineData("\"bias\": \"none\"", "\"bias\": \"all\"", "bias")]
    [InlineData("\"r\": 4", "\"r\": 0", "--lora-rank 0")]
    public void Given_an_adapter_config_Ponder_cannot_compute_Then_loading_names_the_field(
        string from,
        string to,
        string named
    )
    {
        string adapterDir = dir.File("adapter");
        using (var lm = BaseModel())
        {
            lm.AttachAdapter(new LoraOptions { Rank = 4 }, seed: 1);
            lm.Save(adapterDir);
        }

        string config = Path.Combine(adapterDir, PeftAdapter.ConfigFile);
        string text = File.ReadAllText(config);
        Assert.Contains(from, text);
        File.WriteAllText(config, text.Replace(from, to));
        var e = Assert.Throws<PonderException>(() => LanguageModel.Load(adapterDir));
        Assert.Contains(PeftAdapter.ConfigFile, e.Message);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Given_lora_targets_Then_unknown_names_are_refused_with_the_valid_ones()
    {
        var e = Assert.Throws<PonderException>(() =>
            new LoraOptions { Targets = LoraOptions.ParseTargets("q_proj,lm_head") }.Validate()
        );
        Assert.Contains("\"lm_head\"", e.Message);
        Assert.Contains("all-linear", e.Message);
        Assert.Equal(LoraOptions.AllLinear, LoraOptions.ParseTargets("all-linear"));
    }
}
