namespace Ponder.Model;

/// <summary>
/// FLOPs of one token through the model: the single formula Ponder uses for every compute account (benchmarks,
/// model FLOP utilisation, RL compute budgets). A multiply-add counts as 2 FLOPs.
/// <para>
/// Convention (PaLM, Chowdhery et al. 2022, appendix B; the same count as Chinchilla's approximation):
/// <c>forward = 2·N + 4·L·H·D·S</c> and <c>train = 3·forward = 6·N + 12·L·H·D·S</c>, where N is the number of
/// matmul weights (every Linear weight, including lm_head or the tied output projection; embedding lookups,
/// norms and biases are not matmuls and are left out), L layers, H query heads, D head dim, and S the number of
/// keys each query attends to (QKᵀ and AV each cost 2·H·D per key per layer).
/// </para>
/// <para>
/// Which S to pass: for training on sequences of length T pass <c>S = T</c> — PaLM's choice, which counts the full
/// T×T score matrix rather than the causal half, so utilisation figures compare with published MFU numbers. For
/// decoding pass the mean cache length the generated tokens saw (keys attended, including the token itself);
/// for a prefill of P tokens the exact causal mean is (P + 1) / 2. The formula is linear in S, so a mean over tokens
/// gives the exact total.
/// </para>
/// </summary>
public static class Flops
{
    /// <summary>Weights that take part in a matmul: q/k/v/o and gate/up/down per layer, plus the V×C output
    /// projection (lm_head, or the embedding matrix reused when tied). Biases, norms and the embedding lookup are
    /// excluded.</summary>
    public static long MatmulParameters(ModelConfig c)
    {
        long d = c.HiddenSize,
            f = c.IntermediateSize,
            hq = (long)c.NumAttentionHeads * c.HeadDim,
            hkv = (long)c.KeyValueHeads * c.HeadDim;
        long perLayer = d * hq + 2 * d * hkv + hq * d + 3 * d * f;
        return c.NumHiddenLayers * perLayer + (long)c.VocabSize * d;
    }

    /// <summary>Forward FLOPs of one token that attends to <paramref name="contextLength"/> keys:
    /// <c>2·N + 4·L·H·D·S</c> (see the class comment for which S to pass).</summary>
    public static double ForwardPerToken(ModelConfig c, double contextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(contextLength);
        return 2.0 * MatmulParameters(c) + 4.0 * c.NumHiddenLayers * c.NumAttentionHeads * c.HeadDim * contextLength;
    }

    /// <summary>Training FLOPs of one token (forward + backward, the backward costing twice the forward):
    /// <c>3·forward = 6·N + 12·L·H·D·S</c>; pass the sequence length T as S (PaLM).</summary>
    public static double TrainPerToken(ModelConfig c, double contextLength) => 3.0 * ForwardPerToken(c, contextLength);
}
