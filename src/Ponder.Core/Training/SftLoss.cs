using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Training;

/// <summary>The SFT objective: next-token negative log-likelihood on assistant tokens only.</summary>
public static class SftLoss
{
    /// <summary>−Σ mask·logp / <paramref name="targetTokens"/>: a token-level mean whose normaliser is the target
    /// count of the whole optimizer step, so gradient accumulation over micro-batches equals one large batch.</summary>
    /// <param name="logprobs">(B, T−1) log-probabilities of the next tokens.</param>
    /// <param name="lossMask">(B, T−1) 1 where the next token is trained.</param>
    public static Tensor MaskedNll(Tensor logprobs, Tensor lossMask, long targetTokens)
    {
        using var s = new Scalars();
        return -(logprobs * lossMask).sum() / s[Math.Max(1, targetTokens)];
    }
}
