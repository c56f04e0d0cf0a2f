using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Scoring;

/// <summary>Turns token sequences into the scorer's right-padded input tensors.</summary>
public static class ScorerBatch
{
    /// <summary>The scored sequence: prompt ids then completion ids (reasoning included), keeping the last
    /// <paramref name="maxLength"/> tokens when longer — the answer is at the end.</summary>
    public static int[] Input(IReadOnlyList<int> promptIds, IReadOnlyList<int> completionIds, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var all = promptIds.Concat(completionIds).ToArray();
        return all.Length <= maxLength ? all : all[^maxLength..];
    }

    /// <summary>Index of each row's last real token (B) in a right-padded attention mask (B, T).</summary>
    public static Tensor LastIndex(Tensor attention)
    {
        using var s = new Scalars();
        return attention.sum(1, type: ScalarType.Int64) - s[1];
    }

    /// <summary>A labelled example: <see cref="Input"/> of the prompt and completion, and where the completion starts
    /// in it (0 when the prompt was cut away entirely).</summary>
    public static ScorerExample Example(
        string problemId,
        IReadOnlyList<int> promptIds,
        IReadOnlyList<int> completionIds,
        bool correct,
        int maxLength
    )
    {
        var ids = Input(promptIds, completionIds, maxLength);
        int dropped = promptIds.Count + completionIds.Count - ids.Length; // cut from the front
        return new ScorerExample(problemId, ids, correct, Math.Max(0, promptIds.Count - dropped));
    }

    /// <summary>Right-padded ids (B, T) int64 and attention mask (B, T) (1 = real token). Empty sequences are not
    /// allowed.</summary>
    public static (Tensor Ids, Tensor Attention) Collate(IReadOnlyList<int[]> sequences, int padId, Device device)
    {
        if (sequences.Count == 0 || sequences.Any(s => s.Length == 0))
            throw new ArgumentException("every sequence needs at least one token.", nameof(sequences));
        int b = sequences.Count,
            t = sequences.Max(s => s.Length);
        var ids = new long[b * t];
        var attention = new float[b * t];
        Array.Fill(ids, padId);
        for (int i = 0; i < b; i++)
        {
            for (int j = 0; j < sequences[i].Length; j++)
            {
                ids[i * t + j] = sequences[i][j];
                attention[i * t + j] = 1;
            }
        }

        return (tensor(ids, [b, t], device: device), tensor(attention, [b, t], device: device));
    }
}
