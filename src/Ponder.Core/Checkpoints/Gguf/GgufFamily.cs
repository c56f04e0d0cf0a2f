using Ponder.Model;

namespace Ponder.Checkpoints.Gguf;

/// <summary>
/// What differs per model family when written for llama.cpp: its GGUF architecture name, whether q/k rows are
/// permuted, and which per-layer tensors llama.cpp's graph for that architecture reads. Every other rule (names,
/// metadata keys, types) is shared, so a family is one entry of <see cref="All"/>.
/// </summary>
/// <param name="ModelType">config.json <c>model_type</c>.</param>
/// <param name="Arch">GGUF <c>general.architecture</c>; also the prefix of the hyperparameter keys.</param>
/// <param name="PermuteQk">llama.cpp's <c>llama</c> graph applies RoPE to interleaved pairs (x0, x1), (x2, x3), …
/// while Hugging Face's Llama rotates halves (x_i, x_{i+D/2}); the q/k rows are reordered so both compute the same
/// thing. Its <c>qwen2</c>/<c>qwen3</c> graphs use the rotate-half (NEOX) layout and need no reordering.</param>
/// <param name="LayerTensors">The per-layer parts (config key between <c>model.layers.N.</c> and
/// <c>.weight</c>/<c>.bias</c>, with its kinds) that llama.cpp reads for this architecture.</param>
/// <param name="RopeFreqs">llama.cpp reads Llama-3 <c>rope_scaling</c> as a <c>rope_freqs.weight</c> tensor of
/// per-frequency divisors.</param>
public sealed record GgufFamily(
    string ModelType,
    string Arch,
    bool PermuteQk,
    IReadOnlyDictionary<string, string> LayerTensors,
    bool RopeFreqs
)
{
    /// <summary>Checkpoint part → GGUF part of the tensors every family has.</summary>
    static readonly Dictionary<string, string> Common = new()
    {
        ["input_layernorm.weight"] = "attn_norm.weight",
        ["self_attn.q_proj.weight"] = "attn_q.weight",
        ["self_attn.k_proj.weight"] = "attn_k.weight",
        ["self_attn.v_proj.weight"] = "attn_v.weight",
        ["self_attn.o_proj.weight"] = "attn_output.weight",
        ["post_attention_layernorm.weight"] = "ffn_norm.weight",
        ["mlp.gate_proj.weight"] = "ffn_gate.weight",
        ["mlp.up_proj.weight"] = "ffn_up.weight",
        ["mlp.down_proj.weight"] = "ffn_down.weight",
    };

    static readonly Dictionary<string, string> QkvBias = new()
    {
        ["self_attn.q_proj.bias"] = "attn_q.bias",
        ["self_attn.k_proj.bias"] = "attn_k.bias",
        ["self_attn.v_proj.bias"] = "attn_v.bias",
    };

    static readonly Dictionary<string, string> OutputBias = new() { ["self_attn.o_proj.bias"] = "attn_output.bias" };

    static readonly Dictionary<string, string> QkNorm = new()
    {
        ["self_attn.q_norm.weight"] = "attn_q_norm.weight",
        ["self_attn.k_norm.weight"] = "attn_k_norm.weight",
    };

    static Dictionary<string, string> Union(params Dictionary<string, string>[] parts) =>
        parts.SelectMany(p => p).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>The families Ponder exports.</summary>
    public static IReadOnlyList<GgufFamily> All { get; } =
    [
        new("llama", "llama", PermuteQk: true, Union(Common, QkvBias, OutputBias), RopeFreqs: true),
        new("qwen2", "qwen2", PermuteQk: false, Union(Common, QkvBias), RopeFreqs: false),
        new("qwen3", "qwen3", PermuteQk: false, Union(Common, QkNorm), RopeFreqs: false),
    ];

    /// <summary>The family of <paramref name="config"/>, after checking that llama.cpp can compute what Ponder
    /// computes for it.</summary>
    public static GgufFamily For(ModelConfig config, string source)
    {
        ArgumentNullException.ThrowIfNull(config);
        var family =
            All.FirstOrDefault(f => f.ModelType == config.ModelType)
            ?? throw new PonderException(
                $"{source}: model_type \"{config.ModelType}\" cannot be exported to GGUF; Ponder exports "
                    + $"{string.Join(", ", All.Select(f => f.ModelType))}."
            );
        if (config.RopeScaling is { Kind: not "default" } scaling && !(family.RopeFreqs && scaling.Kind == "llama3"))
        {
            throw new PonderException(
                $"{source}: rope_scaling \"{scaling.Kind}\" cannot be expressed for llama.cpp's {family.Arch} "
                    + "architecture; only Llama's \"llama3\" scaling is exported (as rope_freqs.weight)."
            );
        }

        if (config.MlpBias)
        {
            throw new PonderException(
                $"{source}: mlp_bias true cannot be exported: llama.cpp's {family.Arch} graph has no MLP biases."
            );
        }

        if (config.HiddenAct != "silu")
            throw new PonderException($"{source}: hidden_act \"{config.HiddenAct}\" cannot be exported; use silu.");
        return family;
    }

    /// <summary>The GGUF name of checkpoint tensor <paramref name="name"/>, or null when llama.cpp's graph for this
    /// family has no place for it.</summary>
    public string? TensorName(string name)
    {
        switch (name)
        {
            case "model.embed_tokens.weight":
                return "token_embd.weight";
            case "model.norm.weight":
                return "output_norm.weight";
            case ModelDirectory.LmHeadWeight:
                return "output.weight";
        }
        const string prefix = "model.layers.";
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        string rest = name[prefix.Length..];
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !int.TryParse(rest[..dot], out int layer))
            return null;
        return LayerTensors.TryGetValue(rest[(dot + 1)..], out string? part) ? $"blk.{layer}.{part}" : null;
    }

    /// <summary>Whether the rows of <paramref name="name"/> are reordered for llama.cpp's RoPE layout, and into how
    /// many heads.</summary>
    public int? PermuteHeads(string name, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!PermuteQk)
            return null;
        if (name.EndsWith(".self_attn.q_proj.weight", StringComparison.Ordinal))
            return config.NumAttentionHeads;
        if (name.EndsWith(".self_attn.q_proj.bias", StringComparison.Ordinal))
            return config.NumAttentionHeads;
        if (name.EndsWith(".self_attn.k_proj.weight", StringComparison.Ordinal))
            return config.KeyValueHeads;
        if (name.EndsWith(".self_attn.k_proj.bias", StringComparison.Ordinal))
            return config.KeyValueHeads;
        return null;
    }
}
