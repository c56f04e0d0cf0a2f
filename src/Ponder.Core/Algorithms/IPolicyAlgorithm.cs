namespace Ponder.Algorithms;

/// <summary>How the normaliser of <see cref="PolicyBatch"/> is to be computed for an algorithm.</summary>
public enum LossNormalization
{
    /// <summary>Each completion's token mean, then the mean over completions (GRPO, RLOO).</summary>
    SequenceMean,
    /// <summary>Sum over all completion tokens of the step divided by their count (DAPO).</summary>
    TokenMean,
    /// <summary>Sum over tokens divided by completions × max completion length, a constant (Dr. GRPO).</summary>
    ConstantLength,
}

/// <summary>
/// A policy-gradient algorithm for reasoning RL: how rewards of a group become advantages, and the loss.
/// The variants are a closed set chosen by <c>--algo</c> (<see cref="PolicyAlgorithms.Create"/>); each lives in its
/// own file with its deviations from the paper listed at the top.
/// </summary>
public interface IPolicyAlgorithm
{
    string Name { get; }

    /// <summary>Whether advantages are relative within a group (G ≥ 2 is then required).</summary>
    bool GroupRelative { get; }

    LossNormalization Normalization { get; }

    /// <summary>One advantage per completion; rewards are laid out group after group, G each.</summary>
    double[] Advantages(IReadOnlyList<double> rewards, int groupSize);

    /// <summary>The loss of one micro-batch (its part of the step's loss: micro-batch losses add up).</summary>
    PolicyLoss Loss(PolicyBatch b, PolicyOptions o);
}
