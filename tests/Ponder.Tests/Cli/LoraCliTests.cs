using Ponder.Checkpoints;
using Ponder.LanguageModels;
using static TorchSharp.torch;

namespace Ponder.Tests.Cli;

/// <summary>LoRA from the command line: sft writes an adapter folder, which generate accepts as --model and merge folds
/// into its base.</summary>
public sealed class LoraCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    /// <summary>A tiny model and a LoRA adapter over it, trained 3 SFT steps by the CLI: both folders.</summary>
    (string Model, string Adapter) TrainAdapter()
    {
        string model = dir.File("tiny"),
            run = dir.File("sft");
        Assert.Equal(0, Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);
        var sft = Run(
            "sft",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--task-option",
            "max-digits=2",
            "--train-problems",
            "20",
            "--out",
            run,
            "--steps",
            "3",
            "--batch-size",
            "4",
            "--lr",
            "1e-2",
            "--warmup",
            "0",
            "--eval-problems",
            "1",
            "--eval-max-tokens",
            "4",
            "--lora-rank",
            "4",
            "--lora-targets",
            "q_proj,v_proj,down_proj"
        );
        Assert.True(sft.Code == 0, sft.Err);
        string adapter = Path.Combine(run, "model");
        Assert.True(PeftAdapter.IsAdapter(adapter));
        return (model, adapter);
    }

    [Fact]
    public void Given_lora_sft_Then_the_adapter_generates_and_merges_into_a_model_with_the_same_logits()
    {
        var (model, adapter) = TrainAdapter();
        string merged = dir.File("merged");
        var gen = Run("generate", "--model", adapter, "--prompt", "1+1", "--max-tokens", "4", "--temperature", "0");
        Assert.True(gen.Code == 0, gen.Err);
        var export = Run("export", "gguf", "--model", adapter, "--out", dir.File("a.gguf"));
        Assert.NotEqual(0, export.Code);
        Assert.Contains("ponder merge --adapter", export.Err, StringComparison.Ordinal); // what to do instead

        var merge = Run("merge", "--adapter", adapter, "--out", merged);
        Assert.True(merge.Code == 0, merge.Err);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 10, 20, 30, 40, 50 }, [1, 5]);
        using var withAdapter = LanguageModel.Load(adapter);
        using var plain = LanguageModel.Load(merged);
        using var _ = no_grad();
        var a = withAdapter.Network.Forward(ids);
        var b = plain.Network.Forward(ids);
        Assert.True((a - b).abs().max().item<float>() <= 1e-5);
        using var basis = LanguageModel.Load(model);
        Assert.True((basis.Network.Forward(ids) - a).abs().max().item<float>() > 1e-4); // the adapter trained
    }

    [Fact]
    public void Given_an_adapter_naming_its_base_by_hub_id_Then_base_says_where_it_is()
    {
        var (model, adapter) = TrainAdapter();
        string hubAdapter = dir.File("hub-adapter");
        Directory.CreateDirectory(hubAdapter);
        foreach (string f in Directory.GetFiles(adapter))
            File.Copy(f, Path.Combine(hubAdapter, Path.GetFileName(f)));
        string config = Path.Combine(hubAdapter, PeftAdapter.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace(Path.GetFullPath(model), "Qwen/Qwen2.5-0.5B"));
        var noBase = Run("generate", "--model", hubAdapter, "--prompt", "1+1", "--max-tokens", "4");
        Assert.NotEqual(0, noBase.Code);
        Assert.Contains("--base DIR", noBase.Err, StringComparison.Ordinal);
        var withBase = Run("generate", "--model", hubAdapter, "--base", model, "--prompt", "1+1", "--max-tokens", "4");
        Assert.True(withBase.Code == 0, withBase.Err);
    }

    [Fact]
    public void Given_lora_options_without_a_rank_Then_the_error_says_to_add_it()
    {
        var r = Run(
            "sft",
            "--model",
            dir.File("none"),
            "--out",
            dir.File("o"),
            "--task",
            "arithmetic",
            "--lora-alpha",
            "32"
        );
        Assert.NotEqual(0, r.Code);
        Assert.Contains("--lora-alpha is set but --lora-rank is not", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_model_folder_as_the_adapter_Then_merge_says_what_it_needs()
    {
        string model = dir.File("tiny");
        Assert.Equal(0, Run("init", "--out", model, "--preset", "tiny").Code);
        var r = Run("merge", "--adapter", model, "--out", dir.File("m"));
        Assert.NotEqual(0, r.Code);
        Assert.Contains("not an adapter folder", r.Err, StringComparison.Ordinal);
    }
}
