using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Training;

/// <summary>Conversations tokenised with the chat template; only the assistant's own tokens are trained on.</summary>
public static class SftBatch
{
    /// <summary>Token ids and which tokens are assistant output, cut to <paramref name="maxLength"/>.</summary>
    public static (int[] Ids, bool[] Trainable, bool Truncated) Tokenize(ChatTemplate template, IReadOnlyList<ChatMessage> conversation, int maxLength)
    {
        var (ids, mask) = template.RenderForTraining(conversation);
        if (ids.Length <= maxLength) return (ids, mask, false);
        return (ids[..maxLength], mask[..maxLength], true);
    }

    /// <summary>Tokens whose prediction is trained: position t+1 is a target when it is an assistant token.</summary>
    public static int TargetCount(bool[] trainable) => trainable.Skip(1).Count(x => x);

    /// <summary>
    /// Right-padded tensors for a micro-batch: ids (B, T) int64, attention mask (B, T), and the loss mask (B, T−1)
    /// that is 1 where the next token is an assistant token.
    /// </summary>
    public static (Tensor Ids, Tensor Attention, Tensor LossMask) Collate(IReadOnlyList<(int[] Ids, bool[] Trainable)> examples, int padId, Device device)
    {
        int b = examples.Count, t = examples.Max(e => e.Ids.Length);
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
                if (j > 0 && trainable[j]) loss[i * (t - 1) + j - 1] = 1;
            }
        }
        return (tensor(ids, [b, t], device: device), tensor(attention, [b, t], device: device), tensor(loss, [b, t - 1], device: device));
    }
}
