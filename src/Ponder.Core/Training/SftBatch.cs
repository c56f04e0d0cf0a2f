using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Training;

/// <summary>Conversations tokenised with the chat template; only the assistant's own tokens are trained on.</summary>
public static class SftBatch
{
    /// <summary>Token ids and which tokens are assistant output, cut to <paramref name="maxLength"/>;
    /// <paramref name="tools"/> are the function definitions rendered into the system turn (null: none).</summary>
    public static (int[] Ids, bool[] Trainable, bool Truncated) Tokenize(
        ChatTemplate template,
        IReadOnlyList<ChatMessage> conversation,
        int maxLength,
        IReadOnlyList<System.Text.Json.JsonElement>? tools = null
    )
    {
        ArgumentNullException.ThrowIfNull(template);
        var (ids, mask) = template.RenderForTraining(conversation, tools);
        if (ids.Length <= maxLength)
            return (ids, mask, false);
        return (ids[..maxLength], mask[..maxLength], true);
    }

    /// <summary>Tokens whose prediction is trained: position t+1 is a target when it is an assistant token.</summary>
    public static int TargetCount(bool[] trainable) => trainable.Skip(1).Count(x => x);

    /// <summary>
    /// Refuses a <paramref name="maxLength"/> that cuts each of the first <paramref name="probe"/> examples before
    /// its first assistant token: every step would then train on no target token and the run would end as if it had
    /// learned. The message names the length that keeps those examples whole.
    /// </summary>
    public static void RequireTargets(ChatTemplate template, SftData data, int maxLength, int probe = 64)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(data);
        long count = Math.Min(data.Size, probe);
        int longestPrompt = 0,
            longest = 0;
        for (long p = 0; p < count; p++)
        {
            var (ids, mask) = template.RenderForTraining(data.Get(p), data.Tools);
            int cut = Math.Min(maxLength, ids.Length);
            if (TargetCount(mask[..cut]) > 0)
                return;
            longestPrompt = Math.Max(longestPrompt, Array.IndexOf(mask, true));
            longest = Math.Max(longest, ids.Length);
        }
        throw new PonderException(
            $"--max-seq-len {maxLength}: every example is cut to no target tokens (the first {count} examples' "
                + $"prompts alone take up to {longestPrompt} tokens); raise --max-seq-len to at least {longest} to "
                + "keep them whole."
        );
    }

    /// <summary>
    /// Right-padded tensors for a micro-batch: ids (B, T) int64, attention mask (B, T), and the loss mask (B, T−1)
    /// that is 1 where the next token is an assistant token.
    /// </summary>
    public static (Tensor Ids, Tensor Attention, Tensor LossMask) Collate(
        IReadOnlyList<(int[] Ids, bool[] Trainable)> examples,
        int padId,
        Device device
    )
    {
        int b = examples.Count,
            t = examples.Max(e => e.Ids.Length);
        var ids = new long[b * t];
        var attention = new float[b * t];
        var loss = new float[b * (t - 1)];
        Array.Fill(ids, padId);
        for (int i = 0; i < b; i++)
        {
            var (e, trainable) = examples[i];
            for (int j = 0; j < e.Length; j++)
            {
                ids[i * t + j] = e[j];
                attention[i * t + j] = 1;
                if (j > 0 && trainable[j])
                    loss[i * (t - 1) + j - 1] = 1;
            }
        }
        return (
            tensor(ids, [b, t], device: device),
            tensor(attention, [b, t], device: device),
            tensor(loss, [b, t - 1], device: device)
        );
    }

    /// <summary>
    /// Packs a micro-batch into rows of the longest example's length (first-fit, longest first), so a step spends
    /// its compute on real tokens instead of padding. Each example keeps its own positions from 0 and attends only
    /// to itself (<paramref name="Segments"/>), so packing changes no example's loss. Returns ids and positions (R, L)
    /// int64, segments (R, L) int64 (1, 2, … per example in its row; 0 = padding) and the loss mask (R, L−1).
    /// </summary>
    public static (Tensor Ids, Tensor Positions, Tensor Segments, Tensor LossMask) Pack(
        IReadOnlyList<(int[] Ids, bool[] Trainable)> examples,
        int padId,
        Device device
    )
    {
        int length = examples.Max(e => e.Ids.Length);
        var rows = new List<List<int>>(); // example indices per row
        var free = new List<int>(); // room left per row
        foreach (
            int e in Enumerable.Range(0, examples.Count).OrderByDescending(i => examples[i].Ids.Length).ThenBy(i => i)
        )
        {
            int n = examples[e].Ids.Length,
                row = free.FindIndex(room => room >= n);
            if (row < 0)
            {
                rows.Add([]);
                free.Add(length);
                row = rows.Count - 1;
            }
            rows[row].Add(e);
            free[row] -= n;
        }
        int r = rows.Count,
            t = length;
        var ids = new long[r * t];
        var positions = new long[r * t];
        var segments = new long[r * t];
        var loss = new float[r * (t - 1)];
        Array.Fill(ids, padId);
        for (int i = 0; i < r; i++)
        {
            int offset = 0,
                segment = 0;
            foreach (int e in rows[i])
            {
                var (tokens, trainable) = examples[e];
                segment++;
                for (int j = 0; j < tokens.Length; j++)
                {
                    int at = i * t + offset + j;
                    ids[at] = tokens[j];
                    positions[at] = j;
                    segments[at] = segment;
                    if (j > 0 && trainable[j])
                        loss[i * (t - 1) + offset + j - 1] = 1;
                }
                offset += tokens.Length;
            }
        }
        return (
            tensor(ids, [r, t], device: device),
            tensor(positions, [r, t], device: device),
            tensor(segments, [r, t], device: device),
            tensor(loss, [r, t - 1], device: device)
        );
    }
}
