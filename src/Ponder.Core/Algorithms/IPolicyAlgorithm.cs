namespace Ponder.Algorithms;

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

    /// <summary>The denominator of the step's loss, fixed for the whole optimizer step so that micro-batch losses add
    /// up to the full-batch loss (<see cref="PolicyBatch.Normalizer"/>).</summary>
    double Normalizer(StepShape shape);

    /// <summary>One advantage per completion; rewards are laid out group after group, G each.</summary>
    double[] Advantages(IReadOnlyList<double> rewards, int groupSize);

    /// <summary>The loss of one micro-batch (its part of the step's loss: micro-batch losses add up).</summary>
    PolicyLoss Loss(PolicyBatch b, PolicyOptions o);
}
