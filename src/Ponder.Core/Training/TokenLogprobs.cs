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
    /// <param name="chunkTokens">Compute the logits at most this many positions at a time, recomputing each chunk's
    /// in the backward pass, so no (B, T, V) tensor exists; 0: all at once.</param>
    public static (Tensor Logprobs, Tensor Entropy) ComputeWithEntropy(
        CausalLM model,
        Tensor ids,
        Tensor? attentionMask,
        double temperature = 1.0,
        int chunkTokens = 0
    )
    {
        long positions = ids.shape[0] * (ids.shape[1] - 1);
        if (chunkTokens > 0 && positions > chunkTokens)
            return Chunked(model, ids, attentionMask, temperature, chunkTokens);
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

    /// <summary>Positions of a float32 logits budget: how many (B·T) positions' logits fit in
    /// <paramref name="bytes"/>, at least 1.</summary>
    public static int ChunkFor(int vocabSize, long bytes) => (int)Math.Clamp(bytes / (4L * vocabSize), 1, int.MaxValue);

    /// <summary><see cref="ComputeWithEntropy"/> over chunks of the flattened positions: each chunk's logits are
    /// made, reduced to log-probs and entropies, and dropped; the backward pass remakes them one chunk at a time
    /// (<see cref="Recompute"/>).</summary>
    static (Tensor Logprobs, Tensor Entropy) Chunked(
        CausalLM model,
        Tensor ids,
        Tensor? attentionMask,
        double temperature,
        int chunkTokens
    )
    {
        using var scope = NewDisposeScope();
        long b = ids.shape[0],
            t = ids.shape[1];
        var hidden = model.Hidden(ids, attentionMask).narrow(1, 0, t - 1); // (B, T−1, C)
        var flat = hidden.reshape(b * (t - 1), -1); // (N, C)
        var targets = ids.narrow(1, 1, t - 1).reshape(-1); // (N)
        var logprobs = new List<Tensor>();
        var entropies = new List<Tensor>();
        for (long start = 0; start < flat.shape[0]; start += chunkTokens)
        {
            // The chunk's logits die with this scope; what backward needs it recomputes.
            using var chunkScope = NewDisposeScope();
            long n = Math.Min(chunkTokens, flat.shape[0] - start);
            var sink = new List<Tensor>();
            var chunk = Recompute.Apply(
                (h, c) => ChunkLogprobs(model, h, c[0]!, temperature, is_grad_enabled() ? null : sink),
                flat.narrow(0, start, n),
                targets.narrow(0, start, n)
            );
            logprobs.Add(chunk.MoveToOuterDisposeScope());
            entropies.AddRange(sink.Select(e => e.MoveToOuterDisposeScope()));
        }
        var lp = cat(logprobs).view(b, t - 1); // (B, T−1)
        var entropy = cat(entropies).view(b, t - 1); // (B, T−1)
        return (lp.MoveToOuterDisposeScope(), entropy.MoveToOuterDisposeScope());
    }

    /// <summary>log p of <paramref name="targets"/> (n) under the logits of hidden states <paramref name="h"/> (n, C);
    /// adds the entropies (n) to <paramref name="entropies"/> when given (the first, gradient-free run).</summary>
    static Tensor ChunkLogprobs(CausalLM model, Tensor h, Tensor targets, double temperature, List<Tensor>? entropies)
    {
        using var s = new Scalars();
        var logits = model.Logits(h); // (n, V)
        if (temperature != 1.0)
            logits = logits / s[temperature];
        var logZ = logits.logsumexp(-1); // (n)
        if (entropies is not null)
        {
            var logp = logits - logZ.unsqueeze(-1); // (n, V)
            entropies.Add(-(logp.exp() * logp).sum(-1));
        }
        return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - logZ; // (n)
    }
}
