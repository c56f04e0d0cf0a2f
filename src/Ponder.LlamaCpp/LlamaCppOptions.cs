namespace Ponder.LlamaCpp;

/// <summary>How llama.cpp runs a model.</summary>
public sealed record LlamaCppOptions
{
    /// <summary>Threads for decoding and prompt processing. <value>The default value is 0: llama.cpp's choice (one
    /// per core).</value></summary>
    public int Threads { get; init; }

    /// <summary>Flash attention. <value>The default value is false: its CPU kernel accumulates in half precision,
    /// so parity checks need it off.</value></summary>
    public bool FlashAttention { get; init; }

    /// <summary>Keys and values cached in float16, llama.cpp's default. <value>The default value is false: float32,
    /// as Ponder caches a float32 model, so logits can agree to float32 rounding.</value></summary>
    public bool HalfPrecisionCache { get; init; }

    /// <summary>KV-cache cells shared by all sequences. <value>The default value is 512.</value></summary>
    public int ContextSize { get; init; } = 512;

    /// <summary>One KV buffer shared by all sequences (true: every token's attention spans every sequence's cells,
    /// masked) or one stream per sequence (false). <value>The default value is null: LLamaSharp's
    /// default.</value></summary>
    public bool? KvUnified { get; init; }

    /// <summary>Sequences decoded together. <value>The default value is 1.</value></summary>
    public int Sequences { get; init; } = 1;
}
