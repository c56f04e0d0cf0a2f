using System.Text.Json.Nodes;
using Ponder.Model;

namespace Ponder.Tests.Model;

public sealed class ModelConfigTests
{
    static string Fixture(string name) =>
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "configs", name, "config.json");

    [Fact]
    public void Given_Qwen2_5_0_5B_config_When_loaded_Then_values_and_qkv_bias_are_right()
    {
        var c = ModelConfig.Load(Fixture("Qwen2.5-0.5B"));

        Assert.Equal(("qwen2", 896, 4864, 24), (c.ModelType, c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers));
        Assert.Equal((14, 2, 64), (c.NumAttentionHeads, c.KeyValueHeads, c.HeadDim));
        Assert.Equal(
            (1_000_000.0, 1e-6, 151936, 32768),
            (c.RopeTheta, c.RmsNormEps, c.VocabSize, c.MaxPositionEmbeddings)
        );
        Assert.True(c.TieWordEmbeddings);
        Assert.True(c.QkvBias);
        Assert.False(c.OutputBias);
        Assert.Equal([151643], c.EosTokenIds);
        Assert.Null(c.RopeScaling);
    }

    [Fact]
    public void Given_Llama_3_2_1B_config_When_loaded_Then_llama3_rope_scaling_and_head_dim_are_read()
    {
        var c = ModelConfig.Load(Fixture("Llama-3.2-1B"));

        Assert.Equal(("llama", 2048, 8192, 16), (c.ModelType, c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers));
        Assert.Equal((32, 8, 64), (c.NumAttentionHeads, c.KeyValueHeads, c.HeadDim));
        Assert.Equal("llama3", c.RopeScaling!.Kind);
        Assert.Equal(
            (32.0, 1.0, 4.0, 8192),
            (
                c.RopeScaling.Factor,
                c.RopeScaling.LowFreqFactor,
                c.RopeScaling.HighFreqFactor,
                c.RopeScaling.OriginalMaxPositionEmbeddings
            )
        );
        Assert.Equal(
            (500_000.0, 1e-5, 128256, 131072),
            (c.RopeTheta, c.RmsNormEps, c.VocabSize, c.MaxPositionEmbeddings)
        );
        Assert.True(c.TieWordEmbeddings);
        Assert.False(c.QkvBias);
        Assert.Equal((128000, 128001), (c.BosTokenId, c.EosTokenIds.Single()));
    }

    [Fact]
    public void Given_SmolLM2_135M_config_When_loaded_Then_it_is_a_tied_llama()
    {
        var c = ModelConfig.Load(Fixture("SmolLM2-135M"));

        Assert.Equal(("llama", 576, 1536, 30), (c.ModelType, c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers));
        Assert.Equal((9, 3, 64), (c.NumAttentionHeads, c.KeyValueHeads, c.HeadDim));
        Assert.Equal((100_000.0, 1e-5, 49152, 8192), (c.RopeTheta, c.RmsNormEps, c.VocabSize, c.MaxPositionEmbeddings));
        Assert.True(c.TieWordEmbeddings);
        Assert.Null(c.RopeScaling); // "rope_scaling": null
        Assert.Equal((0, 0), (c.BosTokenId, c.EosTokenIds.Single()));
    }

    // Per layer: q d·Hq·D, k and v d·Hkv·D each, o Hq·D·d, (+ q/k/v bias for Qwen2), MLP 3·d·f, two RMSNorms 2·d.
    // Total: embeddings V·d (once, tied) + L·layer + final norm d.
    //  Qwen2.5-0.5B: attn 896·896·2 + 2·896·128 + (896 + 2·128) = 1,836,160; MLP 3·896·4864 = 13,074,432;
    //                layer 14,912,384 ×24 = 357,897,216; + 151936·896 = 136,134,656; + 896 → 494,032,768
    //                (the figure reported for Qwen2.5-0.5B: "0.49B", 494,032,768 as counted by transformers).
    //  SmolLM2-135M: attn 576·576·2 + 2·576·192 = 884,736; MLP 3·576·1536 = 2,654,208; layer 3,540,096 ×30
    //                = 106,202,880; + 49152·576 = 28,311,552; + 576 → 134,515,008.
    //  Llama-3.2-1B: attn 2048·2048·2 + 2·2048·512 = 10,485,760; MLP 3·2048·8192 = 50,331,648; layer 60,821,504
    //                ×16 = 973,144,064; + 128256·2048 = 262,668,288; + 2048 → 1,235,814,400 ("1.23B").
    [Theory]
    [InlineData("Qwen2.5-0.5B", 494_032_768L)]
    [InlineData("SmolLM2-135M", 134_515_008L)]
    [InlineData("Llama-3.2-1B", 1_235_814_400L)]
    public void Given_a_fixture_config_When_parameters_are_counted_Then_the_published_total_is_reproduced(
        string name,
        long expected
    )
    {
        Assert.Equal(expected, ModelConfig.Load(Fixture(name)).ParameterCount);
    }

    [Fact]
    public void Given_an_unsupported_model_type_When_parsed_Then_the_message_names_model_type_and_value()
    {
        string json = File.ReadAllText(Fixture("SmolLM2-135M"))
            .Replace("\"model_type\": \"llama\"", "\"model_type\": \"gpt2\"");

        var e = Assert.Throws<PonderException>(() => ModelConfig.Parse(json, "gpt2/config.json"));

        Assert.Contains("gpt2/config.json: model_type \"gpt2\" is not supported", e.Message);
    }

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("intermediate_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("num_attention_heads")]
    [InlineData("vocab_size")]
    [InlineData("max_position_embeddings")]
    [InlineData("model_type")]
    public void Given_a_config_missing_a_required_field_When_parsed_Then_the_message_names_the_field(string field)
    {
        var json = JsonNode.Parse(File.ReadAllText(Fixture("SmolLM2-135M")))!.AsObject();
        Assert.True(json.Remove(field));

        var e = Assert.Throws<PonderException>(() => ModelConfig.Parse(json.ToJsonString()));

        Assert.Contains($"\"{field}\" is missing", e.Message);
    }

    [Fact]
    public void Given_a_config_with_unknown_fields_When_serialized_and_parsed_again_Then_they_are_kept()
    {
        var c = ModelConfig.Load(Fixture("Qwen2.5-0.5B"));

        string json = c.ToJson();
        var back = ModelConfig.Parse(json);

        Assert.Equal(24, back.Extra!["max_window_layers"].GetInt32());
        Assert.False(back.UseSlidingWindow); // a typed field now (true is refused), still written back
        Assert.Equal("4.40.1", back.Extra["transformers_version"].GetString());
        Assert.Equal(c.ParameterCount, back.ParameterCount);
        Assert.Equal(c.EosTokenIds, back.EosTokenIds);
        Assert.Contains("\"use_sliding_window\": false", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_sliding_window_attention_switched_on_Then_the_config_is_refused_saying_what_to_change()
    {
        var e = Assert.Throws<PonderException>(() =>
            ModelConfig.Parse(
                File.ReadAllText(Fixture("Qwen2.5-0.5B"))
                    .Replace("\"use_sliding_window\": false", "\"use_sliding_window\": true", StringComparison.Ordinal),
                "q/config.json"
            )
        );

        Assert.Contains("q/config.json: use_sliding_window is true", e.Message, StringComparison.Ordinal);
    }
}
