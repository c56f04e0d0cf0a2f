using Ponder.Model;

namespace Ponder.Benchmarks;

/// <summary>
/// What generating at one batch size must hold, in bytes: the weights, the KV cache of every row's whole sequence, and
/// the largest one call's live activations (the larger of one prefill chunk of one prompt and one decode step of every
/// row). A peak resident size within a small multiple of their sum means nothing else grows with the batch: no
/// full-prompt logits kept, no per-step copies of the cache.
/// </summary>
/// <param name="WeightBytes">Parameters at the model's element size (fused projections share them: counted
/// once).</param>
/// <param name="KvCacheBytes">Keys and values of every layer for Batch rows of PromptTokens + NewTokens.</param>
/// <param name="WorkspaceBytes">One call's activations: hidden states, q/k/v, attention scores, the MLP's
/// intermediates, and three float32 copies of the logits (logits, log-probabilities, probabilities) of each row's next
/// token.</param>
public sealed record GenerateMemory(long WeightBytes, long KvCacheBytes, long WorkspaceBytes)
{
    public long TotalBytes => WeightBytes + KvCacheBytes + WorkspaceBytes;

    /// <param name="config">The model.</param>
    /// <param name="parameters">Its parameter count.</param>
    /// <param name="elementSize">Bytes per weight and activation element (4 for float32, 2 for bfloat16).</param>
    /// <param name="batch">Rows generated together.</param>
    /// <param name="promptTokens">Tokens per prompt.</param>
    /// <param name="newTokens">Tokens generated per row.</param>
    /// <param name="prefillChunk">Prompt tokens per prefill call of the engine.</param>
    public static GenerateMemory For(
        ModelConfig config,
        long parameters,
        int elementSize,
        int batch,
        int promptTokens,
        int newTokens,
        int prefillChunk
    )
    {
        ArgumentNullException.ThrowIfNull(config);
        long c = config.HiddenSize,
            f = config.IntermediateSize,
            h = config.NumAttentionHeads,
            k = config.KeyValueHeads,
            d = config.HeadDim,
            layers = config.NumHiddenLayers,
            sequence = promptTokens + newTokens;
        long kv = 2 * layers * batch * k * sequence * d * elementSize;
        // Per token of one call: residual, normed input and block output (3C), fused q/k/v, attention output, and
        // gate/up side by side plus the SwiGLU product and its input (4F); logits come out of the last token only for
        // a prefill, of every row for a decode.
        long activations = (3 * c + (h + 2 * k) * d + h * d + 4 * f) * elementSize,
            logits = 3L * 4 * config.VocabSize;
        long chunk = Math.Min(promptTokens, prefillChunk);
        // A prefill chunk's queries read the prompt so far: at most the whole prompt's keys.
        long prefill = chunk * activations + logits + h * chunk * promptTokens * elementSize;
        long decode = batch * (activations + logits + h * sequence * elementSize);
        return new GenerateMemory(parameters * elementSize, kv, Math.Max(prefill, decode));
    }
}
