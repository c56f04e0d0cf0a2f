namespace Ponder.Model;

/// <summary>
/// What differs between the decoder families Ponder runs; everything else (RMSNorm, rotary embeddings with HF's
/// rotate-half layout, grouped-query attention, SwiGLU) is shared. One row per family: the model reads these flags,
/// never the family's name.
/// </summary>
/// <param name="ModelType">config.json's <c>model_type</c>.</param>
/// <param name="Architecture">The transformers class in <c>architectures</c>.</param>
/// <param name="QkvBiasAlways">q/k/v projections always carry a bias and o_proj never does (Qwen2); otherwise
/// <c>attention_bias</c> switches all four (Llama, Qwen3).</param>
/// <param name="QkNorm">An RMSNorm over the head dimension on every query and key head before the rotary embedding
/// (<c>self_attn.q_norm</c>, <c>self_attn.k_norm</c>; Qwen3).</param>
public sealed record ModelFamily(string ModelType, string Architecture, bool QkvBiasAlways, bool QkNorm)
{
    public static ModelFamily Llama { get; } = new("llama", "LlamaForCausalLM", QkvBiasAlways: false, QkNorm: false);
    public static ModelFamily Qwen2 { get; } = new("qwen2", "Qwen2ForCausalLM", QkvBiasAlways: true, QkNorm: false);
    public static ModelFamily Qwen3 { get; } = new("qwen3", "Qwen3ForCausalLM", QkvBiasAlways: false, QkNorm: true);

    public static IReadOnlyList<ModelFamily> All { get; } = [Llama, Qwen2, Qwen3];

    /// <summary>The family of <paramref name="modelType"/>, or null when Ponder does not run it.</summary>
    public static ModelFamily? Find(string modelType) => All.FirstOrDefault(f => f.ModelType == modelType);

    /// <summary>"llama (LlamaForCausalLM), qwen2 (Qwen2ForCausalLM) and qwen3 (Qwen3ForCausalLM)", for
    /// messages.</summary>
    public static string Described =>
        string.Join(", ", All.SkipLast(1).Select(f => $"{f.ModelType} ({f.Architecture})"))
        + $" and {All[^1].ModelType} ({All[^1].Architecture})";
}
