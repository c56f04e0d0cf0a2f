using Ponder.Rollouts;
using static TorchSharp.torch;

namespace Ponder.Reinforcement;

/// <summary>Prompt + completion sequences of some rollouts as right-padded tensors for a training forward
/// pass.</summary>
public static class RolloutTensors
{
    /// <summary>ids (B, T) and the completion mask (B, T−1) aligned with <see cref="Training.TokenLogprobs.Compute"/>'s
    /// output: 1 where the predicted token is a completion token the model wrote (0 on tokens an environment
    /// appended in a multi-turn rollout). Padding is on the right only, so the forward needs
    /// no attention mask.</summary>
    public static (Tensor Ids, Tensor CompletionMask) Build(IReadOnlyList<Rollout> rollouts, int padId, Device device)
    {
        int b = rollouts.Count;
        int t = rollouts.Max(r => r.Completion.PromptIds.Count + r.Completion.TokenIds.Count);
        var ids = new long[b * t];
        var mask = new float[b * (t - 1)];
        Array.Fill(ids, padId);
        for (int i = 0; i < b; i++)
        {
            var prompt = rollouts[i].Completion.PromptIds;
            var completion = rollouts[i].Completion.TokenIds;
            for (int j = 0; j < prompt.Count; j++)
                ids[i * t + j] = prompt[j];
            for (int j = 0; j < completion.Count; j++)
            {
                int at = prompt.Count + j;
                ids[i * t + at] = completion[j];
                // position at−1 predicts token at; the environment's tokens (tool results) are not the model's
                mask[i * (t - 1) + at - 1] = rollouts[i].Completion.IsModelToken(j) ? 1 : 0;
            }
        }
        return (tensor(ids, [b, t], device: device), tensor(mask, [b, t - 1], device: device));
    }
}
