namespace Ponder.Model;

/// <summary>Model sizes for training from scratch with the byte-level tokenizer. Each call returns a fresh
/// record.</summary>
public static class Presets
{
    /// <summary>The names <c>ponder init --preset</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tiny", "mini", "small"];

    /// <param name="name">tiny (~0.1M parameters, for tests), mini (~0.8M: the demo's; near the compute-optimal size
    /// for minutes of training on 2 CPU cores, where it takes several times small's steps) or small (~4.8M).</param>
    /// <param name="arch">llama or qwen2 (q/k/v bias).</param>
    /// <param name="vocabSize">The tokenizer's size; the embedding table is padded to a multiple of 64.</param>
    public static ModelConfig Get(string name, string arch, int vocabSize)
    {
        int vocab = (vocabSize + 63) / 64 * 64;
        var shape = name switch
        {
            "tiny" => (Hidden: 64, Layers: 2, Heads: 4, KvHeads: 2, Mlp: 192, Context: 1024),
            "mini" => (Hidden: 128, Layers: 4, Heads: 4, KvHeads: 2, Mlp: 384, Context: 2048),
            "small" => (Hidden: 256, Layers: 6, Heads: 8, KvHeads: 4, Mlp: 768, Context: 2048),
            _ => throw new PonderException($"--preset {name}: unknown preset. Use one of: {string.Join(", ", Names)}."),
        };
        var (architecture, modelType, theta) = arch switch
        {
            "llama" => ("LlamaForCausalLM", "llama", 10_000.0),
            "qwen2" => ("Qwen2ForCausalLM", "qwen2", 1_000_000.0),
            _ => throw new PonderException($"--arch {arch}: unknown architecture. Use llama or qwen2."),
        };
        return new ModelConfig
        {
            Architectures = [architecture],
            ModelType = modelType,
            HiddenSize = shape.Hidden,
            IntermediateSize = shape.Mlp,
            NumHiddenLayers = shape.Layers,
            NumAttentionHeads = shape.Heads,
            NumKeyValueHeads = shape.KvHeads,
            RmsNormEps = 1e-6,
            RopeTheta = theta,
            MaxPositionEmbeddings = shape.Context,
            VocabSize = vocab,
            TieWordEmbeddings = true,
            AttentionBias = arch == "llama" ? false : null,
            TorchDtype = "float32",
        }.Validate($"preset {name}");
    }
}
