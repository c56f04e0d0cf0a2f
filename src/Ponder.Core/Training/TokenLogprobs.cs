using Ponder.Model;
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Training;

/// <summary>Per-token log-probabilities of a sequence under a model — the quantity SFT minimises and RL ratios
/// use.</summary>
public static class TokenLogprobs
{
    /// <summary>log p(ids[:, t+1] | ids[:, ≤t]) for every t: (B, T−1).</summary>
    /// <param name="ids">(B, T) int64 token ids, padded anywhere.</param>
    /// <param name="attentionMask">(B, T) 1 for real tokens, 0 for padding; null when padding is only on the right,
    /// where causal attention alone is exact for every real token (a real token never sees a later pad) and SDPA can
    /// use its fused causal kernel instead of a materialised mask.</param>
    /// <param name="temperature">Divides the logits first, as the generator did (1 = the model itself).</param>
    public static Tensor Compute(CausalLM model, Tensor ids, Tensor? attentionMask, double temperature = 1.0)
    {
        using var scope = NewDisposeScope();
        using var s = new Scalars();
        var logits = model.Forward(ids, attentionMask); // (B, T, V)
        if (temperature != 1.0)
            logits = logits / s[temperature];
        return OfNextTokens(logits, ids).MoveToOuterDisposeScope();
    }

    /// <summary>As <see cref="Compute"/> for rows packed by <see cref="SftBatch.Pack"/>: (B, T−1), where a position
    /// whose next token starts another sequence holds a meaningless value (the loss mask excludes it).</summary>
    public static Tensor ComputePacked(CausalLM model, Tensor ids, Tensor positions, Tensor segments)
    {
        using var scope = NewDisposeScope();
        return OfNextTokens(model.ForwardPacked(ids, positions, segments), ids).MoveToOuterDisposeScope();
    }

    /// <summary>log p of ids[:, t+1] under logits[:, t]: (B, T−1). log_softmax = logit − logsumexp, gathering one value
    /// per token instead of materialising (B, T, V) twice.</summary>
    internal static Tensor OfNextTokens(Tensor logits, Tensor ids)
    {
        long t = ids.shape[1];
        var next = logits.narrow(1, 0, t - 1); // (B, T−1, V) predicting ids[:, 1:]
        var picked = next.gather(-1, ids.narrow(1, 1, t - 1).unsqueeze(-1)).squeeze(-1); // (B, T−1)
        return picked - next.logsumexp(-1); // (B, T−1)
    }

    /// <summary>As <see cref="Compute"/>, plus the entropy of each predictive distribution (B, T−1), detached
    /// (for logging: RL watches it for collapse).</summary>
    public static (Tensor Logprobs, Tensor Entropy) ComputeWithEntropy(
        CausalLM model,
        Tensor ids,
        Tensor? attentionMask,
        double temperature = 1.0
    )
    {
        using var scope = NewDisposeScope();
        long t = ids.shape[1];
        using var s = new Scalars();
        var logits = model.Forward(ids, attentionMask).narrow(1, 0, t - 1); // (B, T−1, V)
        if (temperature != 1.0)
            logits = logits / s[temperature];
        var logZ = logits.logsumexp(-1); // (B, T−1)
        var picked = logits.gather(-1, ids.narrow(1, 1, t - 1).unsqueeze(-1)).squeeze(-1);
        Tensor entropy;
        using (no_grad())
        {
            var logp = logits.detach() - logZ.detach().unsqueeze(-1); // (B, T−1, V)
            entropy = -(logp.exp() * logp).sum(-1); // (B, T−1)
        }
        return ((picked - logZ).MoveToOuterDisposeScope(), entropy.MoveToOuterDisposeScope());
    }
}
