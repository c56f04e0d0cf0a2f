using Ponder.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Model;

public sealed class TransformerTests
{
    public static TheoryData<string> Variants =>
        new() { "llama", "llama-mha", "llama-tied", "llama3-scaling", "qwen2", "qwen2-untied", "qwen3" };

    static ModelConfig ConfigFor(string variant) =>
        variant switch
        {
            "llama" => TinyModels.Llama(kvHeads: 2),
            "llama-mha" => TinyModels.Llama(kvHeads: 4),
            "llama-tied" => TinyModels.Llama(tied: true),
            "llama3-scaling" => TinyModels.Llama(ropeScaling: TinyModels.Llama3Scaling),
            "qwen2" => TinyModels.Qwen2(),
            "qwen2-untied" => TinyModels.Qwen2(tied: false),
            "qwen3" => TinyModels.Qwen3(),
            _ => throw new ArgumentException(variant),
        };

    static Tensor RandomIds(long b, long t, long seed, int vocab = 97) =>
        randint(0, vocab, [b, t], generator: new Generator((ulong)seed));

    [Theory, MemberData(nameof(Variants))]
    public void Given_a_sequence_When_a_future_token_changes_Then_earlier_logits_do_not(string variant)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = TinyModels.Build(ConfigFor(variant));
        var ids = RandomIds(2, 12, seed: 3);
        var changed = ids.clone();
        changed[TensorIndex.Colon, 8] = (ids[TensorIndex.Colon, 8] + 1) % 97;

        var a = model.Forward(ids);
        var b = model.Forward(changed);

        Assert.Equal(0f, (a[.., ..8] - b[.., ..8]).abs().max().item<float>());
        Assert.True(
            (a[.., 8..] - b[.., 8..]).abs().max().item<float>() > 1e-3f,
            "the changed token must affect later logits"
        );
    }

    [Theory, MemberData(nameof(Variants))]
    public void Given_a_prompt_When_decoded_token_by_token_with_the_cache_Then_logits_equal_the_full_forward(
        string variant
    )
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = TinyModels.Build(ConfigFor(variant));
        var ids = RandomIds(3, 20, seed: 4);
        var full = model.Forward(ids); // (3, 20, V)

        using var cache = model.NewCache(3, 32);
        var rows = new List<Tensor>();
        for (int r = 0; r < 3; r++) // each row prefilled alone into its slot: 4 tokens, then 3 more as a chunk
        {
            model.Prefill(ids[r..(r + 1), ..4], cache, r, 0);
            rows.Add(model.Prefill(ids[r..(r + 1), 4..7], cache, r, 4)); // (1, V): logits after token 6
        }
        var pieces = new List<Tensor> { cat(rows, 0).unsqueeze(1) }; // (3, 1, V)
        for (int t = 7; t < 20; t++) // then one token per row and step, all rows together
            pieces.Add(model.Decode(ids[.., t], cache, [0, 1, 2], [t, t, t]).unsqueeze(1));
        var cached = cat(pieces, 1); // (3, 14, V): logits after tokens 6 … 19
        full = full[.., 6..]; // (3, 14, V)

        Assert.True((full - cached).abs().max().item<float>() <= 1e-4f);
    }

    [Theory, MemberData(nameof(Variants))]
    public void Given_padding_on_either_side_When_forwarded_Then_real_tokens_get_the_unpadded_logits(string variant)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = TinyModels.Build(ConfigFor(variant));
        var ids = RandomIds(1, 9, seed: 5);
        var alone = model.Forward(ids); // (1, 9, V)

        var pad = zeros([1, 4], ScalarType.Int64);
        var left = model.Forward(cat([pad, ids], 1), cat([zeros(1, 4), ones(1, 9)], 1));
        var right = model.Forward(cat([ids, pad], 1), cat([ones(1, 9), zeros(1, 4)], 1));

        Assert.True((left[.., 4..] - alone).abs().max().item<float>() <= 1e-4f);
        Assert.True((right[.., ..9] - alone).abs().max().item<float>() <= 1e-4f);
        Assert.False(left.isnan().any().item<bool>(), "padded rows must not produce NaN");
    }

    [Theory]
    [InlineData(new[] { 0, 2 })] // a free slot between the rows: queries are scattered into slot rows
    [InlineData(new[] { 1, 0 })] // rows in another order than their slots
    [InlineData(new[] { 5, 1 })] // two rows among six slots: attention reads a gathered copy of their keys
    public void Given_rows_of_different_lengths_in_slots_When_decoding_together_Then_each_equals_its_run_alone(
        int[] slots
    )
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var shortIds = RandomIds(1, 3, seed: 6);
        var longIds = RandomIds(1, 8, seed: 7);
        using var cache = model.NewCache(slots.Max() + 1, 16);
        var firstShort = model.Prefill(shortIds, cache, slots[0], 0); // (1, V)
        model.Prefill(longIds, cache, slots[1], 0);

        var next = tensor(new long[] { 11, 12 });
        var second = model.Decode(next, cache, slots, [3, 8]); // (2, V)

        var shortFull = model.Forward(cat([shortIds, tensor(new long[] { 11 }).view(1, 1)], 1)); // (1, 4, V)
        var longFull = model.Forward(cat([longIds, tensor(new long[] { 12 }).view(1, 1)], 1)); // (1, 9, V)
        Assert.True((firstShort[0] - shortFull[0, 2]).abs().max().item<float>() <= 1e-4f);
        Assert.True((second[0] - shortFull[0, 3]).abs().max().item<float>() <= 1e-4f);
        Assert.True((second[1] - longFull[0, 8]).abs().max().item<float>() <= 1e-4f);
    }

    [Fact]
    public void Given_llama3_rope_scaling_Then_long_wavelengths_are_divided_by_the_factor_and_short_ones_kept()
    {
        var plain = Rotary.InverseFrequencies(TinyModels.Llama());
        var scaled = Rotary.InverseFrequencies(TinyModels.Llama(ropeScaling: TinyModels.Llama3Scaling));
        // head dim 16 → 8 frequencies 10000^(-2i/16). Original context 32: high-freq wavelength limit 32/4 = 8,
        // low-freq limit 32/1 = 32. i=0: wavelength 2π ≈ 6.28 < 8 → kept. i=7: 2π·10000^(14/16) ≈ 19,000 > 32 → /8.
        Assert.Equal(plain[0], scaled[0], 12);
        Assert.Equal(plain[7] / 8, scaled[7], 12);
        // i=1: wavelength 2π·10000^(1/8) ≈ 19.87, between 8 and 32 → smooth = (32/19.87 − 1)/(4 − 1) ≈ 0.2035,
        // scaled = (1 − smooth)·f/8 + smooth·f.
        double f = plain[1],
            smooth = (32 / (2 * Math.PI / f) - 1) / 3.0;
        Assert.Equal((1 - smooth) * f / 8 + smooth * f, scaled[1], 12);
    }

    [Fact]
    public void Given_the_model_Then_state_dict_keys_are_the_hugging_face_names()
    {
        using var qwen = new CausalLM(TinyModels.Qwen2() with { NumHiddenLayers = 1 });
        var keys = qwen.state_dict().Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            new[]
            {
                "model.embed_tokens.weight",
                "model.layers.0.input_layernorm.weight",
                "model.layers.0.mlp.down_proj.weight",
                "model.layers.0.mlp.gate_proj.weight",
                "model.layers.0.mlp.up_proj.weight",
                "model.layers.0.post_attention_layernorm.weight",
                "model.layers.0.self_attn.k_proj.bias",
                "model.layers.0.self_attn.k_proj.weight",
                "model.layers.0.self_attn.o_proj.weight",
                "model.layers.0.self_attn.q_proj.bias",
                "model.layers.0.self_attn.q_proj.weight",
                "model.layers.0.self_attn.v_proj.bias",
                "model.layers.0.self_attn.v_proj.weight",
                "model.norm.weight",
            },
            keys
        );

        using var llama = new CausalLM(TinyModels.Llama(tied: false) with { NumHiddenLayers = 1 });
        var llamaKeys = llama.state_dict().Keys.ToHashSet();
        Assert.Contains("lm_head.weight", llamaKeys);
        Assert.DoesNotContain("model.layers.0.self_attn.q_proj.bias", llamaKeys);
    }

    [Theory, MemberData(nameof(Variants))]
    public void Given_a_config_Then_its_parameter_count_equals_the_modules(string variant)
    {
        var config = ConfigFor(variant);
        using var model = new CausalLM(config);
        Assert.Equal(config.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Given_a_forward_in_a_scope_When_the_model_is_deeper_Then_the_scope_holds_no_more_tensors(bool grad)
    {
        // Each layer frees its intermediates and its input when it ends: the caller's scope keeps no layer's
        // activations (all of them made a batch-64 decode step hold hundreds of MB).
        int Held(int layers)
        {
            using var model = TinyModels.Build(TinyModels.Llama(kvHeads: 2) with { NumHiddenLayers = layers });
            using var ids = RandomIds(2, 5, seed: 3);
            using var _ = grad ? enable_grad() : no_grad();
            using var scope = NewDisposeScope();
            var logits = model.Forward(ids);
            if (grad)
                logits.sum().backward(); // autograd keeps what backward needs on its own
            return scope.DisposablesCount;
        }

        int two = Held(2),
            six = Held(6);

        // Not one more: before, every op of every layer (dozens per layer) stayed.
        Assert.True(six == two, $"2 layers left {two} tensors in the scope, 6 layers {six}");
    }
}
