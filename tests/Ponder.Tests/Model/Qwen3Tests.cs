using Ponder.LanguageModels;
using Ponder.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Model;

/// <summary>Qwen3: per-head RMSNorm on queries and keys before the rotary embedding, and an explicit
/// head_dim.</summary>
public sealed class Qwen3Tests
{
    [Fact]
    public void Given_a_one_layer_qwen3_Then_its_logits_equal_the_transformers_formulas_written_out_here()
    {
        // One layer, 4 query heads over 2 kv heads, head_dim 32 (hidden 64 / 4 would be 16), norms not 1.
        var config = TinyModels.Qwen3() with
        {
            NumHiddenLayers = 1,
            TieWordEmbeddings = false,
        };
        using var model = TinyModels.Build(config, seed: 3);
        using (no_grad())
        {
            var g = new Generator(9);
            foreach (var (name, p) in model.named_parameters().Where(p => p.name.EndsWith("norm.weight")))
                p.copy_(1 + 0.3 * randn(p.shape, generator: g));
        }
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 5, 17, 3, 60, 22, 9 }).unsqueeze(0); // (1, T)

        var expected = Reference(model.state_dict(), ids, config); // (1, T, V)
        var actual = model.Forward(ids); // (1, T, V)

        Assert.True(
            actual.allclose(expected, rtol: 0, atol: 2e-5),
            $"max |diff| {(actual - expected).abs().max().item<float>()}"
        );
    }

    /// <summary>Qwen3ForCausalLM's forward for one layer, from transformers' modeling_qwen3.py, on the raw
    /// weights.</summary>
    static Tensor Reference(Dictionary<string, Tensor> w, Tensor ids, ModelConfig c)
    {
        int h = c.NumAttentionHeads,
            k = c.KeyValueHeads,
            d = c.HeadDim;
        long t = ids.shape[1];
        Tensor Norm(Tensor x, Tensor weight) => weight * (x * rsqrt(x.pow(2).mean([-1], keepdim: true) + c.RmsNormEps));
        Tensor Rope(Tensor x) // (1, heads, T, D), rotate_half
        {
            var inv = pow(c.RopeTheta, -arange(0, d, 2, float32) / d); // (D/2)
            var angles = outer(arange(t, float32), inv); // (T, D/2)
            var (cos, sin) = (cat([angles.cos(), angles.cos()], -1), cat([angles.sin(), angles.sin()], -1));
            var rotated = cat([-x[.., .., .., (d / 2)..], x[.., .., .., ..(d / 2)]], -1);
            return x * cos + rotated * sin;
        }
        string l = "model.layers.0.";
        var x0 = w["model.embed_tokens.weight"][ids]; // (1, T, C)
        var hn = Norm(x0, w[l + "input_layernorm.weight"]);
        var q = Norm(hn.matmul(w[l + "self_attn.q_proj.weight"].T).view(1, t, h, d), w[l + "self_attn.q_norm.weight"]);
        var kk = Norm(hn.matmul(w[l + "self_attn.k_proj.weight"].T).view(1, t, k, d), w[l + "self_attn.k_norm.weight"]);
        var v = hn.matmul(w[l + "self_attn.v_proj.weight"].T).view(1, t, k, d);
        var (qr, kr) = (Rope(q.transpose(1, 2)), Rope(kk.transpose(1, 2))); // (1, H, T, D), (1, K, T, D)
        var (ke, ve) = (kr.repeat_interleave(h / k, 1), v.transpose(1, 2).repeat_interleave(h / k, 1)); // (1, H, T, D)
        var scores = qr.matmul(ke.transpose(-1, -2)) / Math.Sqrt(d); // (1, H, T, T)
        scores = scores.masked_fill(ones(t, t, ScalarType.Bool).triu(1), double.NegativeInfinity);
        var y = scores.softmax(-1).matmul(ve).transpose(1, 2).reshape(1, t, h * d); // (1, T, H·D)
        var x1 = x0 + y.matmul(w[l + "self_attn.o_proj.weight"].T);
        var m = Norm(x1, w[l + "post_attention_layernorm.weight"]);
        var gate = nn.functional.silu(m.matmul(w[l + "mlp.gate_proj.weight"].T));
        var x2 = x1 + (gate * m.matmul(w[l + "mlp.up_proj.weight"].T)).matmul(w[l + "mlp.down_proj.weight"].T);
        return Norm(x2, w["model.norm.weight"]).matmul(w["lm_head.weight"].T);
    }

    [Fact]
    public void Given_the_qwen3_0_6b_config_Then_shape_biases_norms_and_parameter_count_are_qwen3s()
    {
        var c = Presets.Like("qwen3-0.6b");

        Assert.Equal((1024, 16, 8, 128), (c.HiddenSize, c.NumAttentionHeads, c.KeyValueHeads, c.HeadDim));
        Assert.True(c.Family.QkNorm);
        Assert.False(c.QkvBias);
        Assert.False(c.OutputBias);
        // Per layer: attention 1024·2048 + 2·1024·1024 + 2048·1024 = 6,291,456; MLP 3·1024·3072 = 9,437,184; two
        // norms 2·1024 and the q/k norms 2·128 → 15,730,944. 28 layers = 440,466,432, plus tied embeddings
        // 151,936·1024 = 155,582,464 and the final norm 1,024: 596,049,920 (the model card's 0.6B, 0.44B
        // non-embedding).
        Assert.Equal(596_049_920, c.ParameterCount);
    }

    [Fact]
    public void Given_every_like_name_Then_its_public_config_parses_as_a_supported_family()
    {
        var families = Presets.LikeNames.Select(n => Presets.Like(n).ModelType).ToList();

        Assert.Equal(["llama", "qwen2", "qwen3", "llama", "qwen2"], families);
    }

    [Fact]
    public void Given_an_unsupported_family_Then_the_error_names_the_families_that_load()
    {
        var e = Assert.Throws<PonderException>(() =>
            ModelConfig.Parse("""{"model_type": "gemma3", "architectures": ["Gemma3ForCausalLM"]}""", "x/config.json")
        );

        Assert.Contains("x/config.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("gemma3", e.Message, StringComparison.Ordinal);
        Assert.Contains("qwen3 (Qwen3ForCausalLM)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_qwen3_model_saved_and_loaded_Then_it_generates_what_it_generated_before()
    {
        using var dir = new TempDir();
        var config = TinyModels.Qwen3(vocab: 320) with { MaxPositionEmbeddings = 64 };
        var prompt = new[] { 10, 20, 30 };
        IReadOnlyList<int> before;
        using (var lm = LanguageModel.CreateFromConfig(config, seed: 4))
        {
            before = Greedy(lm, prompt);
            lm.Save(dir.Path);
        }
        using var loaded = LanguageModel.Load(dir.Path);

        Assert.Equal("qwen3", loaded.Config.ModelType);
        Assert.Equal(before, Greedy(loaded, prompt));
        Assert.Contains("model.layers.0.self_attn.q_norm.weight", loaded.Network.state_dict().Keys);
    }

    [Fact]
    public void Given_weights_whose_head_dim_differs_from_config_json_Then_loading_names_tensor_field_and_numbers()
    {
        using var dir = new TempDir();
        using (var lm = LanguageModel.CreateFromConfig(TinyModels.Qwen3(vocab: 320), seed: 4))
            lm.Save(dir.Path);
        string configPath = Path.Combine(dir.Path, "config.json");
        // Without head_dim the config implies hidden 64 / 4 heads = 16, but the weights have 32 per head.
        File.WriteAllText(
            configPath,
            File.ReadAllText(configPath).Replace("\"head_dim\": 32,", "", StringComparison.Ordinal)
        );

        var e = Assert.Throws<PonderException>(() => LanguageModel.Load(dir.Path));

        Assert.Contains("self_attn.q_proj.weight has shape [128, 64]", e.Message, StringComparison.Ordinal);
        Assert.Contains("implies [64, 64] (num_attention_heads 4 × head_dim 16)", e.Message, StringComparison.Ordinal);
    }

    static IReadOnlyList<int> Greedy(LanguageModel lm, int[] prompt) =>
        lm.CreateGenerator()
            .Generate([prompt], new Ponder.Generation.SamplingOptions { Temperature = 0, MaxNewTokens = 12 })[0]
            .TokenIds;
}
