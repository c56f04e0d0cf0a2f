using Ponder.Checkpoints.Gguf;
using Ponder.Model;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Tests.Gguf;

/// <summary>The exporter's file: metadata, names, types and layout, read back byte for byte.</summary>
public sealed class GgufExportTests
{
    static ModelConfig Qwen3() =>
        TinyModels.Qwen2(vocab: ParityModels.Vocab) with
        {
            Architectures = ["Qwen3ForCausalLM"],
            ModelType = "qwen3",
            HeadDimOverride = 32, // ≠ hidden 64 / 4 heads
        };

    /// <summary>A Qwen3 state dict by hand: q/k norms per head, an explicit head_dim, no q/k/v bias.</summary>
    static Dictionary<string, Tensor> Qwen3Tensors(ModelConfig c)
    {
        int d = c.HiddenSize,
            q = c.NumAttentionHeads * c.HeadDim,
            kv = c.KeyValueHeads * c.HeadDim,
            f = c.IntermediateSize;
        var shapes = new Dictionary<string, long[]> { ["model.embed_tokens.weight"] = [c.VocabSize, d] };
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            string p = $"model.layers.{i}.";
            shapes[p + "input_layernorm.weight"] = [d];
            shapes[p + "self_attn.q_proj.weight"] = [q, d];
            shapes[p + "self_attn.k_proj.weight"] = [kv, d];
            shapes[p + "self_attn.v_proj.weight"] = [kv, d];
            shapes[p + "self_attn.o_proj.weight"] = [d, q];
            shapes[p + "self_attn.q_norm.weight"] = [c.HeadDim];
            shapes[p + "self_attn.k_norm.weight"] = [c.HeadDim];
            shapes[p + "post_attention_layernorm.weight"] = [d];
            shapes[p + "mlp.gate_proj.weight"] = [f, d];
            shapes[p + "mlp.up_proj.weight"] = [f, d];
            shapes[p + "mlp.down_proj.weight"] = [d, f];
        }
        shapes["model.norm.weight"] = [d];
        var g = new Generator(5);
        return shapes.ToDictionary(kv => kv.Key, kv => randn(kv.Value, generator: g));
    }

    static GgufReader Export(ModelConfig c, Dictionary<string, Tensor> tensors, GgufType type, TempDir dir)
    {
        string path = dir.File("m.gguf");
        GgufExport.Write(path, c, tensors, ParityModels.ByteLevelVocabulary(c), type, "test");
        return new GgufReader(path);
    }

    [Fact]
    public void Given_a_qwen3_state_dict_Then_the_gguf_has_arch_qwen3_its_head_dim_and_q_k_norms_unpermuted()
    {
        var c = Qwen3();
        var tensors = Qwen3Tensors(c);
        using var dir = new TempDir();

        var gguf = Export(c, tensors, GgufType.F32, dir);

        Assert.Equal(3u, gguf.Version);
        Assert.Equal("qwen3", gguf.Get<string>("general.architecture"));
        Assert.Equal(32u, gguf.Get<uint>("qwen3.attention.key_length"));
        Assert.Equal(32u, gguf.Get<uint>("qwen3.attention.value_length"));
        Assert.Equal(32u, gguf.Get<uint>("qwen3.rope.dimension_count"));
        Assert.Equal(4u, gguf.Get<uint>("qwen3.attention.head_count"));
        Assert.Equal(1_000_000f, gguf.Get<float>("qwen3.rope.freq_base"));
        Assert.Equal(new long[] { 32 }, gguf.Tensor("blk.1.attn_q_norm.weight").Dims);
        Assert.Equal(new long[] { 64, 128 }, gguf.Tensor("blk.0.attn_q.weight").Dims); // reversed (128, 64)
        Assert.Equal(
            tensors["model.layers.0.self_attn.k_norm.weight"].data<float>().ToArray(),
            gguf.Floats("blk.0.attn_k_norm.weight")
        );
        Assert.Equal(
            tensors["model.layers.1.self_attn.q_proj.weight"].data<float>().ToArray(),
            gguf.Floats("blk.1.attn_q.weight")
        ); // no permutation for qwen3
        Assert.DoesNotContain(gguf.Tensors, t => t.Name == "output.weight"); // tied
        Assert.Equal(1 + 2 * 11 + 1, gguf.Tensors.Count);
    }

    [Fact]
    public void Given_a_qwen3_checkpoint_with_a_q_bias_Then_export_names_the_tensor_it_cannot_place()
    {
        var c = Qwen3();
        var tensors = Qwen3Tensors(c);
        tensors["model.layers.0.self_attn.q_proj.bias"] = zeros(c.NumAttentionHeads * c.HeadDim);
        using var dir = new TempDir();

        var e = Assert.Throws<PonderException>(() => Export(c, tensors, GgufType.F32, dir));

        Assert.Contains("model.layers.0.self_attn.q_proj.bias", e.Message, StringComparison.Ordinal);
        Assert.Contains("qwen3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_llama_model_Then_q_and_k_rows_are_permuted_per_head_and_v_is_not()
    {
        using var model = TinyModels.Build(TinyModels.Llama(vocab: ParityModels.Vocab));
        var sd = model.state_dict();
        using var dir = new TempDir();

        var gguf = Export(model.Config, sd.ToDictionary(kv => kv.Key, kv => kv.Value), GgufType.F32, dir);

        // head_dim 16: within head h, row 16h + 2i comes from row 16h + i and row 16h + 2i + 1 from row 16h + i + 8.
        float[] q = gguf.Floats("blk.0.attn_q.weight");
        var hf = sd["model.layers.0.self_attn.q_proj.weight"]; // (64, 64)
        int cols = 64;
        Assert.Equal(hf[0].data<float>().ToArray(), q[..cols]);
        Assert.Equal(hf[8].data<float>().ToArray(), q[cols..(2 * cols)]);
        Assert.Equal(hf[24].data<float>().ToArray(), q[(17 * cols)..(18 * cols)]); // head 1, i = 0, second of the pair
        Assert.Equal(
            sd["model.layers.0.self_attn.v_proj.weight"].data<float>().ToArray(),
            gguf.Floats("blk.0.attn_v.weight")
        );
        Assert.Equal("llama", gguf.Get<string>("general.architecture"));
        Assert.Contains(gguf.Tensors, t => t.Name == "output.weight"); // untied
    }

    [Fact]
    public void Given_the_byte_level_tokenizer_Then_tokens_are_dense_typed_and_padded_and_the_template_is_chatml()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2(vocab: ParityModels.Vocab));
        using var dir = new TempDir();

        var gguf = Export(
            model.Config,
            model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value),
            GgufType.F32,
            dir
        );

        var tokens = gguf.Get<object[]>("tokenizer.ggml.tokens").Cast<string>().ToArray();
        var types = gguf.Get<object[]>("tokenizer.ggml.token_type").Cast<int>().ToArray();
        Assert.Equal(320, tokens.Length);
        Assert.Equal("Ġ", tokens[32]); // the space byte
        Assert.Equal("<|im_end|>", tokens[258]);
        Assert.Equal("[PAD300]", tokens[300]);
        Assert.Equal([1, 3, 5], new[] { types[32], types[258], types[300] });
        Assert.Equal("gpt2", gguf.Get<string>("tokenizer.ggml.model"));
        Assert.Equal("gpt-2", gguf.Get<string>("tokenizer.ggml.pre"));
        Assert.Equal(256u, gguf.Get<uint>("tokenizer.ggml.eos_token_id"));
        Assert.False(gguf.Get<bool>("tokenizer.ggml.add_bos_token"));
        Assert.Equal(ChatTemplate.Jinja, gguf.Get<string>("tokenizer.chat_template"));
    }

    [Fact]
    public void Given_q8_0_Then_each_block_is_a_float16_scale_of_max_over_127_and_rounded_bytes()
    {
        // x = (0, 1, …, 31) / 10 − 1: max |x| = 2.1, d = 2.1 / 127; x = −1 → round(−60.476…) = −60,
        // x = 0.5 → 30.238… → 30, x = 2.1 → 127.
        float[] x = Enumerable.Range(0, 32).Select(i => i / 10f - 1).ToArray();
        var block = new byte[34];

        GgufQuant.Encode(x, GgufType.Q8, block);

        Assert.Equal((Half)(2.1f / 127), BitConverter.ToHalf(block, 0));
        Assert.Equal(-60, (sbyte)block[2]);
        Assert.Equal(30, (sbyte)block[2 + 15]);
        Assert.Equal(127, (sbyte)block[2 + 31]);
        float[] back = GgufQuant.DecodeQ8(block, 32);
        Assert.All(x.Zip(back), p => Assert.True(Math.Abs(p.First - p.Second) <= 2.1 / 127 / 2 + 1e-3));
    }

    [Fact]
    public void Given_bfloat16_Then_rounding_is_to_nearest_even()
    {
        // 1 + 2^-8 lies halfway between bf16 1.0 and 1 + 2^-7: ties go to the even mantissa, 1.0.
        Assert.Equal(0x3F80, GgufQuant.ToBFloat16(1 + 1f / 256));
        Assert.Equal(0x3F81, GgufQuant.ToBFloat16(1 + 1.5f / 256));
        Assert.Equal(1 + 1f / 128, GgufQuant.FromBFloat16(0x3F81));
    }

    [Fact]
    public void Given_q8_0_and_rows_not_a_multiple_of_32_Then_those_matrices_fall_back_to_f16_and_norms_stay_f32()
    {
        var c = TinyModels.Llama(vocab: ParityModels.Vocab) with { IntermediateSize = 48 };
        using var model = TinyModels.Build(c);
        using var dir = new TempDir();

        var gguf = Export(c, model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value), GgufType.Q8, dir);

        Assert.Equal(8u, gguf.Tensor("blk.0.ffn_up.weight").Type); // rows of 64
        Assert.Equal(1u, gguf.Tensor("blk.0.ffn_down.weight").Type); // rows of 48
        Assert.Equal(0u, gguf.Tensor("blk.0.attn_norm.weight").Type);
        Assert.Equal(7u, gguf.Get<uint>("general.file_type"));
    }
}
