using static TorchSharp.torch;

namespace Ponder.Algorithms;

/// <summary>
/// The tensors a policy loss needs for one micro-batch of completions (B rows, T completion tokens, right-padded).
/// </summary>
/// <param name="Logprobs">(B, T) log π_θ of each completion token under the policy being trained (requires
/// grad).</param>
/// <param name="OldLogprobs">(B, T) log π_old at sampling time (detached); equals Logprobs' values when μ = 1.</param>
/// <param name="RefLogprobs">(B, T) log π_ref under the frozen reference policy, or null when β = 0.</param>
/// <param name="Mask">(B, T) 1 for completion tokens, 0 for padding.</param>
/// <param name="Advantages">(B) one advantage per completion, broadcast to its tokens.</param>
/// <param name="Normalizer">The denominator the loss divides by, fixed for the whole optimizer step (so micro-batches
/// add up to the full-batch loss): the algorithm's <see cref="IPolicyAlgorithm.Normalizer"/>.</param>
/// <param name="IsWeights">Off-policy correction weights π_old / μ against the rollout engine's behaviour policy μ,
/// truncated or masked (<see cref="IsCorrection"/>): (B, T) per token or (B, 1) per sequence; null: none.</param>
public sealed record PolicyBatch(
    Tensor Logprobs,
    Tensor OldLogprobs,
    Tensor? RefLogprobs,
    Tensor Mask,
    Tensor Advantages,
    double Normalizer,
    Tensor? IsWeights = null
);

/// <summary>The loss to minimise and what to log about it (means over completion tokens of the micro-batch).</summary>
public sealed record PolicyLoss(Tensor Loss, double ClipFraction, double Kl, double RatioMean);

/// <summary>What an optimizer step's loss normaliser is computed from.</summary>
/// <param name="Completions">Completions of the step, every one (also those left out of the forward pass).</param>
/// <param name="CompletionTokens">Their completion tokens in total.</param>
/// <param name="MaxCompletionTokens">The longest completion the step allows (Dr. GRPO's constant).</param>
public readonly record struct StepShape(int Completions, long CompletionTokens, int MaxCompletionTokens);
