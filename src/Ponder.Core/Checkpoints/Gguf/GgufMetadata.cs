using Ponder.Model;

namespace Ponder.Checkpoints.Gguf;

/// <summary>The key-values of an exported file: <c>general.*</c>, the family's hyperparameters under its
/// architecture's prefix, and <c>tokenizer.*</c>.</summary>
static class GgufMetadata
{
    public static void Add(
        GgufWriter w,
        ModelConfig c,
        GgufFamily family,
        GgufVocabulary vocabulary,
        GgufType type,
        string name
    )
    {
        string a = family.Arch;
        w.AddString("general.architecture", a);
        w.AddString("general.name", name);
        w.AddUInt32("general.file_type", GgufTypes.FileType(type));
        w.AddUInt32("general.quantization_version", 2);
        w.AddUInt32($"{a}.vocab_size", (uint)c.VocabSize);
        w.AddUInt32($"{a}.context_length", (uint)c.MaxPositionEmbeddings);
        w.AddUInt32($"{a}.embedding_length", (uint)c.HiddenSize);
        w.AddUInt32($"{a}.block_count", (uint)c.NumHiddenLayers);
        w.AddUInt32($"{a}.feed_forward_length", (uint)c.IntermediateSize);
        w.AddUInt32($"{a}.attention.head_count", (uint)c.NumAttentionHeads);
        w.AddUInt32($"{a}.attention.head_count_kv", (uint)c.KeyValueHeads);
        // The head dimension is stated, not derived: Qwen3 and Llama-3.2 may have head_dim ≠ hidden / heads.
        w.AddUInt32($"{a}.attention.key_length", (uint)c.HeadDim);
        w.AddUInt32($"{a}.attention.value_length", (uint)c.HeadDim);
        w.AddFloat32($"{a}.attention.layer_norm_rms_epsilon", (float)c.RmsNormEps);
        w.AddFloat32($"{a}.rope.freq_base", (float)c.RopeTheta);
        w.AddUInt32($"{a}.rope.dimension_count", (uint)c.HeadDim);
        AddTokenizer(w, vocabulary);
    }

    static void AddTokenizer(GgufWriter w, GgufVocabulary v)
    {
        w.AddString("tokenizer.ggml.model", "gpt2");
        w.AddString("tokenizer.ggml.pre", v.PreTokenizer);
        w.AddStrings("tokenizer.ggml.tokens", v.Tokens);
        w.AddInt32s("tokenizer.ggml.token_type", v.TokenTypes);
        w.AddStrings("tokenizer.ggml.merges", v.Merges);
        if (v.BosTokenId is int bos)
            w.AddUInt32("tokenizer.ggml.bos_token_id", (uint)bos);
        if (v.EosTokenId is int eos)
            w.AddUInt32("tokenizer.ggml.eos_token_id", (uint)eos);
        if (v.PadTokenId is int pad)
            w.AddUInt32("tokenizer.ggml.padding_token_id", (uint)pad);
        w.AddBool("tokenizer.ggml.add_bos_token", v.AddBosToken);
        w.AddBool("tokenizer.ggml.add_eos_token", false);
        if (v.ChatTemplate is { } template)
            w.AddString("tokenizer.chat_template", template);
    }
}
