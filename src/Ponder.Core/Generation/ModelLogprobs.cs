using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Generation;

/// <summary>A token id and its log-probability under the model's own distribution.</summary>
public readonly record struct Candidate(int Id, float Logprob);

/// <summary>
/// An emitted token's log-probability under the model's own next-token distribution — the log-softmax of its raw
/// logits: no temperature, penalty, bias, truncation or think-marker ban — and the <c>n</c> most likely tokens there,
/// best first. This is what OpenAI's <c>logprobs</c> report and vLLM's default (<c>raw_logprobs</c>) returns, and
/// what a forward pass over prompt and completion computes. It differs from <see cref="DecodeRow.Logprobs"/> (the
/// sampling distribution that RL's importance ratios need), which stays as it is.
/// </summary>
/// <param name="Token">The emitted token (chosen or forced by the thinking control).</param>
/// <param name="Top">The most likely tokens at that position, best first; ids the tokenizer does not have (padding
/// rows of the vocabulary) are never among them.</param>
public sealed record ModelLogprobs(Candidate Token, IReadOnlyList<Candidate> Top)
{
    /// <summary>Top candidates a row may ask for at most (OpenAI's limit for <c>top_logprobs</c>).</summary>
    public const int MaxTop = 20;

    /// <param name="logits">(B, V) the model's raw next-token logits of a batch.</param>
    /// <param name="vocabMask">(V) additive mask, −∞ at ids the tokenizer does not have.</param>
    /// <param name="rows">The rows of the batch that ask (R indices).</param>
    /// <param name="tokens">(B) each row's emitted token.</param>
    /// <param name="tops">(R) how many top candidates each asking row wants (0 to <see cref="MaxTop"/>).</param>
    /// <returns>(R) one entry per asking row.</returns>
    public static ModelLogprobs[] Of(Tensor logits, Tensor vocabMask, int[] rows, long[] tokens, int[] tops)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(vocabMask);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(tops);
        using var scope = NewDisposeScope();
        var device = logits.device;
        var picked =
            rows.Length == logits.shape[0]
                ? logits
                : logits.index_select(0, tensor(rows.Select(r => (long)r).ToArray(), device: device)); // (R, V)
        var logProbs = picked.to(ScalarType.Float32).log_softmax(-1); // (R, V)
        long[] ids = [.. rows.Select(r => tokens[r])];
        var chosen = logProbs.gather(-1, tensor(ids, device: device).unsqueeze(-1)).squeeze(-1); // (R)
        float[] chosenLp = chosen.cpu().data<float>().ToArray();
        int n = (int)Math.Min(tops.Max(), logits.shape[^1]);
        float[] topLp = [];
        long[] topIds = [];
        if (n > 0)
        {
            var (values, indexes) = logProbs.Plus(vocabMask).topk(n, -1); // (R, n), best first
            topLp = values.cpu().data<float>().ToArray();
            topIds = indexes.cpu().data<long>().ToArray();
        }
        var result = new ModelLogprobs[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            var top = Enumerable
                .Range(r * n, Math.Min(tops[r], n))
                .Where(i => !float.IsNegativeInfinity(topLp[i]))
                .Select(i => new Candidate((int)topIds[i], topLp[i]))
                .ToArray();
            result[r] = new ModelLogprobs(new Candidate((int)ids[r], chosenLp[r]), top);
        }
        return result;
    }
}
