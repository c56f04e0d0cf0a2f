using Ponder.Rollouts;
using static TorchSharp.torch;

namespace Ponder.Reinforcement;

/// <summary>Prompt + completion sequences of some rollouts as right-padded tensors for a training forward pass.</summary>
public static class RolloutTensors
{
    /// <summary>ids (B, T), attention (B, T), and the completion mask (B, T−1) aligned with
    /// <see cref="Training.TokenLogprobs.Compute"/>'s output: 1 where the predicted token is a completion token.</summary>
    public static (Tensor Ids, Tensor Attention, Tensor CompletionMask) Build(IReadOnlyList<Rollout> rollouts, int padId, Device device)
    {
        int b = rollouts.Count;
        int t = rollouts.Max(r => r.Completion.PromptIds.Count + r.Completion.TokenIds.Count);
        var ids = new long[b * t];
        var attention = new float[b * t];
        var mask = new float[b * (t - 1)];
        Array.Fill(ids, padId);
        for (int i = 0; i < b; i++)
        {
            var prompt = rollouts[i].Completion.PromptIds;
            var completion = rollouts[i].Completion.TokenIds;
            for (int j = 0; j < prompt.Count; j++) { ids[i * t + j] = prompt[j]; attention[i * t + j] = 1; }
            for (int j = 0; j < completion.Count; j++)
            {
                int at = prompt.Count + j;
                ids[i * t + at] = completion[j];
                attention[i * t + at] = 1;
                mask[i * (t - 1) + at - 1] = 1;          // position at−1 predicts token at
            }
        }
        return (tensor(ids, [b, t], device: device), tensor(attention, [b, t], device: device), tensor(mask, [b, t - 1], device: device));
    }
}
