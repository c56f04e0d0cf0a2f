using Ponder.Checkpoints.Gguf;
using Ponder.LlamaCpp;
using Ponder.Model;
using Ponder.Runtime;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Tests.Gguf;

/// <summary>How a parity model's weights are drawn.</summary>
public enum WeightScale
{
    /// <summary>HF's N(0, 0.02): attention is nearly uniform, so position errors hardly show.</summary>
    Standard,

    /// <summary>N(0, 0.25) matrices, norms 1 + N(0, 0.2), biases N(0, 0.5): sharp attention, where a wrong RoPE
    /// layout changes the tokens.</summary>
    Stress,
}

/// <summary>Ponder's forward and llama.cpp's on the same weights: the logits of a prompt, and greedy
/// continuations.</summary>
sealed record ParityResult(
    double MaxLogitDiff,
    double MaxLastLogitDiff,
    double MaxLogProbDiff,
    int[] Ponder,
    int[] Peer
)
{
    public int FirstMismatch =>
        Enumerable.Range(0, Ponder.Length).FirstOrDefault(i => Ponder[i] != Peer[i], Ponder.Length);
}

/// <summary>Random models of each family with the byte-level tokenizer, exported to GGUF and run by both.</summary>
static class ParityModels
{
    public const int PromptTokens = 32,
        NewTokens = 32;

    /// <summary>The byte-level vocabulary (261 tokens) padded to the embedding rows Ponder's presets use.</summary>
    public const int Vocab = 320;

    public static CausalLM Build(ModelConfig config, WeightScale scale, long seed)
    {
        var model = new CausalLM(config, new DeviceOptions("cpu", "float32"));
        using (no_grad())
        {
            var g = new Generator((ulong)seed);
            bool stress = scale == WeightScale.Stress;
            foreach (var (name, p) in model.named_parameters())
            {
                if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                    p.normal_(1, stress ? 0.2 : 0, g);
                else if (name.EndsWith(".bias", StringComparison.Ordinal))
                    p.normal_(0, stress ? 0.5 : 0.02, g);
                else
                    p.normal_(0, stress ? 0.25 : 0.02, g);
            }
        }
        model.eval();
        return model;
    }

    /// <summary>Writes <paramref name="model"/> with the byte-level tokenizer as GGUF.</summary>
    public static void Export(CausalLM model, string path, GgufType type, GgufFamily? family = null)
    {
        var vocabulary = ByteLevelVocabulary(model.Config);
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        GgufExport.Write(path, model.Config, tensors, vocabulary, type, "parity", family);
    }

    public static GgufVocabulary ByteLevelVocabulary(ModelConfig config)
    {
        using var dir = new TempDir();
        TextTokenizer.CreateByteLevel().Save(dir.Path);
        return GgufVocabulary.FromDirectory(dir.Path, config);
    }

    public static int[] Prompt(long seed) =>
        Enumerable.Range(0, PromptTokens).Select(_ => 0).Select((_, i) => Draw(seed, i)).ToArray();

    static int Draw(long seed, int i) => new Random((int)(seed * 1000 + i)).Next(256);

    /// <summary>Exports at <paramref name="type"/>, then compares every position's logits and the greedy
    /// continuations.</summary>
    public static ParityResult Compare(
        CausalLM model,
        GgufType type,
        int[] prompt,
        int newTokens = NewTokens,
        GgufFamily? family = null
    )
    {
        using var dir = new TempDir();
        string path = dir.File("model.gguf");
        Export(model, path, type, family);
        using var peer = new LlamaCppModel(
            path,
            new LlamaCppOptions { Threads = 1, ContextSize = prompt.Length + newTokens + 8 }
        );
        float[][] theirs = peer.Logits(prompt);
        float[][] ours = PonderLogits(model, prompt);
        double all = 0,
            logProb = 0;
        for (int t = 0; t < prompt.Length; t++)
        {
            all = Math.Max(all, MaxAbsDiff(ours[t], theirs[t]));
            logProb = Math.Max(logProb, MaxAbsDiff(LogSoftmax(ours[t]), LogSoftmax(theirs[t])));
        }
        double last = MaxAbsDiff(ours[^1], theirs[^1]);
        return new ParityResult(
            all,
            last,
            logProb,
            PonderGreedy(model, prompt, newTokens),
            peer.Greedy(prompt, newTokens)
        );
    }

    public static float[][] PonderLogits(CausalLM model, IReadOnlyList<int> tokens)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = tensor(tokens.Select(i => (long)i).ToArray(), [1, tokens.Count]);
        var logits = model.Forward(ids)[0].contiguous(); // (T, V)
        float[] flat = logits.data<float>().ToArray();
        int v = (int)logits.shape[1];
        return Enumerable.Range(0, tokens.Count).Select(t => flat.AsSpan(t * v, v).ToArray()).ToArray();
    }

    /// <summary>Greedy decoding through Ponder's KV cache (the path generation uses), lowest id on ties as
    /// llama.cpp's argmax.</summary>
    public static int[] PonderGreedy(CausalLM model, IReadOnlyList<int> prompt, int count)
    {
        using var _ = no_grad();
        using var cache = model.NewCache(1, prompt.Count + count);
        var result = new int[count];
        for (int n = 0; n < count; n++)
        {
            using var scope = NewDisposeScope();
            var logits =
                n == 0
                    ? model.Prefill(tensor(prompt.Select(i => (long)i).ToArray(), [1, prompt.Count]), cache, 0, 0)
                    : model.Decode(tensor(new long[] { result[n - 1] }), cache, [0], [prompt.Count + n - 1]);
            result[n] = ArgMax(logits[0].contiguous().data<float>().ToArray()); // (V)
        }
        return result;
    }

    static int ArgMax(float[] x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > x[best])
                best = i;
        }
        return best;
    }

    static double MaxAbsDiff(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();

    static float[] LogSoftmax(float[] x)
    {
        double max = x.Max();
        double log = Math.Log(x.Sum(v => Math.Exp(v - max))) + max;
        return x.Select(v => (float)(v - log)).ToArray();
    }
}
