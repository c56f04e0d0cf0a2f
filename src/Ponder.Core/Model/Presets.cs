namespace Ponder.Model;

/// <summary>Model sizes for training from scratch with the byte-level tokenizer. Each call returns a fresh
/// record.</summary>
public static class Presets
{
    /// <summary>The names <c>ponder init --preset</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tiny", "mini", "small"];

    /// <param name="name">tiny (~0.1M parameters, for tests), mini (~0.8M: the demo's; near the compute-optimal size
    /// for minutes of training on 2 CPU cores, where it takes several times small's steps) or small (~4.8M).</param>
    /// <param name="arch">llama, qwen2 (q/k/v bias) or qwen3 (per-head q/k norms).</param>
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
        var family =
            ModelFamily.Find(arch)
            ?? throw new PonderException(
                $"--arch {arch}: unknown architecture. Use "
                    + $"{string.Join(", ", ModelFamily.All.Select(f => f.ModelType))}."
            );
        return new ModelConfig
        {
            Architectures = [family.Architecture],
            ModelType = family.ModelType,
            HiddenSize = shape.Hidden,
            IntermediateSize = shape.Mlp,
            NumHiddenLayers = shape.Layers,
            NumAttentionHeads = shape.Heads,
            NumKeyValueHeads = shape.KvHeads,
            RmsNormEps = 1e-6,
            RopeTheta = family == ModelFamily.Llama ? 10_000.0 : 1_000_000.0,
            MaxPositionEmbeddings = shape.Context,
            VocabSize = vocab,
            TieWordEmbeddings = true,
            AttentionBias = family.QkvBiasAlways ? null : false,
            TorchDtype = "float32",
        }.Validate($"preset {name}");
    }

    /// <summary>The names <c>ponder init --like</c> accepts: public checkpoints whose config.json is kept
    /// here.</summary>
    public static IReadOnlyList<string> LikeNames { get; } =
    ["smollm2-135m", "qwen2.5-0.5b", "qwen3-0.6b", "llama-3.2-1b", "r1-distill-1.5b"];

    /// <summary>The public config.json of the checkpoint <paramref name="name"/> (SmolLM2-135M-Instruct,
    /// Qwen2.5-0.5B-Instruct, Qwen3-0.6B, Llama-3.2-1B-Instruct, DeepSeek-R1-Distill-Qwen-1.5B): its exact
    /// shape, for random weights.</summary>
    public static ModelConfig Like(string name)
    {
        if (!LikeNames.Contains(name))
            throw new PonderException($"--like {name}: unknown model. Use one of: {string.Join(", ", LikeNames)}.");
        using var stream =
            typeof(Presets).Assembly.GetManifestResourceStream($"Ponder.Model.Configs.{name}.json")
            ?? throw new InvalidOperationException($"the {name} config is not embedded in the engine.");
        using var reader = new StreamReader(stream);
        return ModelConfig.Parse(reader.ReadToEnd(), $"{name} config.json");
    }
}
