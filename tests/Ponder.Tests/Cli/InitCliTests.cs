using Ponder.LanguageModels;

namespace Ponder.Tests.Cli;

/// <summary><c>ponder init</c> at a config.json's exact shape.</summary>
public sealed class InitCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    [Fact]
    public void Given_a_qwen3_config_file_Then_init_writes_a_model_of_that_shape_that_loads_and_generates()
    {
        string config = dir.File("qwen3.json");
        File.WriteAllText(config, (TinyModels.Qwen3(vocab: 320) with { MaxPositionEmbeddings = 64 }).ToJson());
        string model = dir.File("model");

        var r = Run("init", "--config", config, "--out", model, "--seed", "2");

        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("qwen3 model", r.Out, StringComparison.Ordinal);
        using var lm = LanguageModel.Load(model);
        Assert.Equal((32, 4, 2), (lm.Config.HeadDim, lm.Config.NumAttentionHeads, lm.Config.KeyValueHeads));
        Assert.Equal(320, lm.Config.VocabSize);
        var completion = lm.CreateGenerator()
            .Generate(
                [
                    [1, 2, 3],
                ],
                new Ponder.Generation.SamplingOptions { Temperature = 0, MaxNewTokens = 4 }
            )[0];
        Assert.Equal(4, completion.TokenIds.Count);
    }

    [Fact]
    public void Given_an_unknown_like_name_Then_one_line_lists_the_names()
    {
        var r = Run("init", "--like", "gemma-2b", "--out", dir.Path);

        Assert.NotEqual(0, r.Code);
        Assert.Contains("--like gemma-2b: unknown model. Use one of: smollm2-135m", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_two_shape_options_Then_one_line_asks_for_one()
    {
        var r = Run("init", "--like", "qwen3-0.6b", "--preset", "tiny", "--out", dir.Path);

        Assert.NotEqual(0, r.Code);
        Assert.Contains("--preset, --config and --like each choose the shape", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "config.json")));
    }
}
