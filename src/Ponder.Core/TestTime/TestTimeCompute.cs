using Ponder.Model;

namespace Ponder.TestTime;

/// <summary>
/// Forward FLOPs spent at test time, with <see cref="Flops.ForwardPerToken"/> and the exact context each token saw
/// (the formula is linear in the context, so count × mean context is the exact sum).
/// </summary>
public static class TestTimeCompute
{
    /// <summary>
    /// One completion: the prefill of P prompt tokens (token i attends i keys, mean (P + 1)/2), then one decode step
    /// for each generated token but the last (which is never fed back): step j = 1 … G−1 attends P + j keys.
    /// </summary>
    public static double GenerationFlops(ModelConfig config, int promptTokens, int generatedTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(generatedTokens);
        double prefill = promptTokens * Flops.ForwardPerToken(config, (promptTokens + 1) / 2.0);
        int decodeSteps = Math.Max(0, generatedTokens - 1);
        double decode = decodeSteps * Flops.ForwardPerToken(config, promptTokens + (decodeSteps + 1) / 2.0);
        return prefill + decode;
    }

    /// <summary>Scoring one sequence of <paramref name="length"/> tokens with a scorer: one full causal
    /// forward.</summary>
    public static double ScoringFlops(ModelConfig scorerConfig, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return length * Flops.ForwardPerToken(scorerConfig, (length + 1) / 2.0);
    }
}
