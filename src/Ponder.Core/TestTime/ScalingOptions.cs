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

    /// <summary>Which strategies to measure (those needing a scorer are skipped without one; beam and DVTS need a
    /// process scorer). <value>The default value is single, majority, best-of-n and weighted.</value></summary>
    public IReadOnlyList<Strategy> Strategies { get; init; } = TestTime.Strategies.All;

    /// <summary>Beam and DVTS: expansions per kept path (M); they run at every sample count N that is a multiple of
    /// it. <value>The default value is 4.</value></summary>
    public int BeamWidth { get; init; } = 4;

    /// <summary>The thinking budget beam and DVTS search at (null: the largest of <see cref="Budgets"/>).
    /// <value>The default value is null.</value></summary>
    public int? SearchBudget { get; init; }

    /// <summary>DeepConf's settings. <value>The default value is the record's defaults.</value></summary>
    public DeepConfOptions DeepConf { get; init; } = new();

    /// <summary>The sample counts beam and DVTS run at: those that are multiples of <see cref="BeamWidth"/>.</summary>
    public IReadOnlyList<int> SearchCounts => [.. SampleCounts.Distinct().Order().Where(n => n % BeamWidth == 0)];

    /// <summary>The most samples any count needs: each budget samples this many per problem, once.</summary>
    public int MaxSamples => SampleCounts.Max();

    /// <summary>Checks what needs no model: the lists, the answer tokens and the sampling settings.</summary>
    public ScalingOptions Validate()
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
        }
        foreach (int n in SampleCounts)
        {
            if (n < 1)
                throw new PonderException($"--samples {n}: sample counts must be positive (1, 2, 4, …).");
        }

        if (Strategies.Count == 0)
            throw new PonderException("--strategies is empty: name at least one, e.g. single,majority.");
        if (BeamWidth < 1)
            throw new PonderException($"--beam-width {BeamWidth}: must be at least 1.");
        if (Strategies.Any(TestTime.Strategies.Searches) && SearchCounts.Count == 0)
        {
            throw new PonderException(
                $"--samples {string.Join(',', SampleCounts)} with --beam-width {BeamWidth}: beam and dvts need a "
                    + $"sample count that is a multiple of the beam width, e.g. {BeamWidth * 2}."
            );
        }
        if (SearchBudget is int sb && !Budgets.Contains(sb))
            throw new PonderException($"--search-budget {sb}: use one of --budgets ({string.Join(',', Budgets)}).");
        DeepConf.Validate();
        if (AnswerTokens < 1)
            throw new PonderException($"--answer-tokens {AnswerTokens}: must be at least 1.");
        if (double.IsNaN(Temperature) || Temperature < 0 || Temperature > 100)
            throw new PonderException($"--temperature {Temperature}: use 0 (greedy) up to 100.");
        if (double.IsNaN(TopP) || TopP <= 0 || TopP > 1)
            throw new PonderException($"--top-p {TopP}: use a value in (0, 1]; 1 turns it off.");
        return this;
    }

    /// <summary>Also checks the budgets against the model's context.</summary>
    /// <param name="contextLength">The model's context: no budget may exceed it, and the longest completion (the
    /// largest budget and the answer tokens) must leave room for a prompt.</param>
    public ScalingOptions Validate(int contextLength)
    {
        Validate();
        int largest = Budgets.Max();
        if (largest > contextLength)
        {
            throw new PonderException(
                $"--budgets {largest} is larger than the model's context of {contextLength} tokens; use "
                    + $"budgets up to {contextLength}."
            );
        }

        if (largest + AnswerTokens >= contextLength)
        {
            throw new PonderException(
                $"--budgets {largest} with --answer-tokens {AnswerTokens}: completions of {largest + AnswerTokens} "
                    + $"tokens leave no room for a prompt in the model's context of {contextLength} tokens; use "
                    + $"budgets below {contextLength - AnswerTokens}."
            );
        }

        return this;
    }
}
