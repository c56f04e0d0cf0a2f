using Ponder.Model;
using Ponder.Runtime;

namespace Ponder.Tests;

/// <summary>Tiny model configurations the tests build themselves (seconds on CPU).</summary>
static class TinyModels
{
    public static ModelConfig Llama(
        int kvHeads = 2,
        bool tied = false,
        RopeScaling? ropeScaling = null,
        int vocab = 97
    ) =>
        new()
        {
            Architectures = ["LlamaForCausalLM"],
            ModelType = "llama",
            HiddenSize = 64,
            IntermediateSize = 128,
            NumHiddenLayers = 2,
            NumAttentionHeads = 4,
            NumKeyValueHeads = kvHeads,
            RmsNormEps = 1e-5,
            RopeTheta = 10000,
            RopeScaling = ropeScaling,
            MaxPositionEmbeddings = 256,
            VocabSize = vocab,
            TieWordEmbeddings = tied,
            TorchDtype = "float32",
        };

    public static ModelConfig Qwen2(int kvHeads = 2, bool tied = true, int vocab = 97) =>
        Llama(kvHeads, tied, null, vocab) with
        {
            Architectures = ["Qwen2ForCausalLM"],
            ModelType = "qwen2",
            RopeTheta = 1_000_000,
            RmsNormEps = 1e-6,
        };

    /// <summary>Qwen3: per-head q/k norms and a head_dim (32) that is not hidden / heads (16), as Qwen3-0.6B's 128 is
    /// not 1024 / 16.</summary>
    public static ModelConfig Qwen3(int kvHeads = 2, bool tied = true, int vocab = 97) =>
        Llama(kvHeads, tied, null, vocab) with
        {
            Architectures = ["Qwen3ForCausalLM"],
            ModelType = "qwen3",
            HeadDimOverride = 32,
            AttentionBias = false,
            RopeTheta = 1_000_000,
            RmsNormEps = 1e-6,
        };

    public static RopeScaling Llama3Scaling =>
        new()
        {
            RopeType = "llama3",
            Factor = 8,
            LowFreqFactor = 1,
            HighFreqFactor = 4,
            OriginalMaxPositionEmbeddings = 32,
        };

    public static CausalLM Build(ModelConfig config, long seed = 1, string dtype = "float32")
    {
        var model = new CausalLM(config, new DeviceOptions("cpu", dtype));
        model.InitializeWeights(seed, std: 0.08); // larger than 0.02 so logits differ visibly between tokens
        model.eval();
        return model;
    }
}
