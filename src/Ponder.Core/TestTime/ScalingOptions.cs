namespace Ponder.TestTime;

/// <summary>What <see cref="ScalingSweep"/> measures. Immutable; <see cref="Validate"/> says what to change.</summary>
public sealed record ScalingOptions
{
    /// <summary>Thinking budgets (reasoning tokens at most); 0 answers directly. <value>The default value is 32, 64,
    /// 128, 256, 512.</value></summary>
    public IReadOnlyList<int> Budgets { get; init; } = [32, 64, 128, 256, 512];

    /// <summary>Sample counts N at which every strategy is measured. <value>The default value is 1, 2, 4, 8, 16, 32,
    /// 64.</value></summary>
    public IReadOnlyList<int> SampleCounts { get; init; } = [1, 2, 4, 8, 16, 32, 64];

    /// <summary>Tokens allowed after the thinking budget for the answer: each completion gets budget + this many.
    /// <value>The default value is 64.</value></summary>
    public int AnswerTokens { get; init; } = 64;

    /// <summary>Sampling temperature (R1's evaluation protocol). <value>The default value is 0.6.</value></summary>
    public double Temperature { get; init; } = 0.6;

    /// <summary>Nucleus mass. <value>The default value is 0.95.</value></summary>
    public double TopP { get; init; } = 0.95;

    /// <summary>Sampling seed. <value>The default value is 0.</value></summary>
    public long Seed { get; init; }

    /// <summary>The most samples any count needs: each budget samples this many per problem, once.</summary>
    public int MaxSamples => SampleCounts.Max();

    /// <param name="contextLength">The model's context: no budget may exceed it.</param>
    public ScalingOptions Validate(int contextLength)
    {
        if (Budgets.Count == 0)
            throw new PonderException("--budgets is empty: give at least one thinking budget, e.g. 32,64,128.");
        if (SampleCounts.Count == 0)
            throw new PonderException("--samples is empty: give at least one sample count, e.g. 1,2,4.");
        foreach (int budget in Budgets)
        {
            if (budget < 0)
            {
                throw new PonderException(
                    $"--budgets {budget}: a thinking budget must be 0 (answer directly) or positive."
                );
            }

            if (budget > contextLength)
            {
                throw new PonderException(
                    $"--budgets {budget} is larger than the model's context of {contextLength} tokens; use "
                        + $"budgets up to {contextLength}."
                );
            }
        }
        foreach (int n in SampleCounts)
        {
            if (n < 1)
                throw new PonderException($"--samples {n}: sample counts must be positive (1, 2, 4, …).");
        }

        if (AnswerTokens < 1)
            throw new PonderException($"answer tokens {AnswerTokens} must be at least 1.");
        return this;
    }
}
