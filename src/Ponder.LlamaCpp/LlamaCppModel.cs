using LLama;
using LLama.Common;
using LLama.Native;

namespace Ponder.LlamaCpp;

/// <summary>
/// A GGUF file loaded by llama.cpp (through LLamaSharp) on the CPU: tokens in, logits out. Ponder's independent
/// reference: the parity tests compare its logits and greedy tokens with Ponder's forward, and the generation
/// benchmark times it as the peer.
/// </summary>
public sealed class LlamaCppModel : IDisposable
{
    readonly LLamaWeights weights;
    readonly LLamaContext context;

    public LlamaCppModel(string ggufPath, LlamaCppOptions? options = null)
    {
        LlamaCppRuntime.Initialize();
        var o = options ?? new LlamaCppOptions();
        var parameters = new ModelParams(ggufPath)
        {
            ContextSize = (uint)o.ContextSize,
            BatchSize = (uint)o.ContextSize,
            UBatchSize = (uint)Math.Min(o.ContextSize, 512),
            SeqMax = (uint)o.Sequences,
            GpuLayerCount = 0,
            FlashAttention = o.FlashAttention,
            TypeK = o.HalfPrecisionCache ? GGMLType.GGML_TYPE_F16 : GGMLType.GGML_TYPE_F32,
            TypeV = o.HalfPrecisionCache ? GGMLType.GGML_TYPE_F16 : GGMLType.GGML_TYPE_F32,
        };
        if (o.KvUnified is bool unified)
            parameters.KVUnified = unified;
        if (o.Threads > 0)
        {
            parameters.Threads = o.Threads;
            parameters.BatchThreads = o.Threads;
        }
        try
        {
            weights = LLamaWeights.LoadFromFile(parameters);
        }
        catch (Exception e) when (e is LLama.Exceptions.LoadWeightsFailedException or LLama.Exceptions.RuntimeError)
        {
            throw new PonderException($"{ggufPath}: llama.cpp could not load the GGUF file ({e.Message}).", e);
        }
        try
        {
            context = weights.CreateContext(parameters);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
        Options = o;
    }

    public LlamaCppOptions Options { get; }

    public int VocabSize => weights.Vocab.Count;

    internal LLamaContext Context => context;

    /// <summary>llama.cpp's tokenization of <paramref name="text"/>, without BOS; with
    /// <paramref name="special"/> the text of control tokens maps to them.</summary>
    public int[] Tokenize(string text, bool special) =>
        context.Tokenize(text, addBos: false, special: special).Select(t => (int)t).ToArray();

    /// <summary>Logits (T rows of V) of every position of <paramref name="tokens"/>, from an empty cache.</summary>
    public float[][] Logits(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        context.NativeHandle.MemoryClear();
        var batch = new LLamaBatch();
        for (int i = 0; i < tokens.Count; i++)
            batch.Add(tokens[i], i, LLamaSeqId.Zero, logits: true);
        Decode(batch);
        return Enumerable.Range(0, tokens.Count).Select(i => context.NativeHandle.GetLogitsIth(i).ToArray()).ToArray();
    }

    /// <summary>Greedy continuation of <paramref name="prompt"/>: <paramref name="count"/> tokens, each the argmax
    /// (lowest id on ties) after feeding the previous one.</summary>
    public int[] Greedy(IReadOnlyList<int> prompt, int count)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        context.NativeHandle.MemoryClear();
        var batch = new LLamaBatch();
        for (int i = 0; i < prompt.Count; i++)
            batch.Add(prompt[i], i, LLamaSeqId.Zero, logits: i == prompt.Count - 1);
        Decode(batch);
        var result = new int[count];
        for (int n = 0; n < count; n++)
        {
            result[n] = ArgMax(context.NativeHandle.GetLogitsIth(batch.TokenCount - 1));
            batch.Clear();
            batch.Add(result[n], prompt.Count + n, LLamaSeqId.Zero, logits: true);
            if (n < count - 1)
                Decode(batch);
        }
        return result;
    }

    internal void Decode(LLamaBatch batch)
    {
        var status = context.NativeHandle.Decode(batch);
        if (status != DecodeResult.Ok)
            throw new PonderException($"llama.cpp decode failed: {status}.");
    }

    internal static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
                best = i;
        }
        return best;
    }

    public void Dispose()
    {
        context.Dispose();
        weights.Dispose();
    }
}
