namespace Ponder.Runs;

/// <summary>One sampled completion as a run stores it (table <c>samples</c> of <c>metrics.db</c>).</summary>
/// <param name="Answer">The grader's canonical answer, or null when none was extracted.</param>
/// <param name="Reward">The RL reward, or null outside training.</param>
/// <param name="Score">A scorer's score, or null when there is none.</param>
public sealed record SampleRecord(
    string ProblemId,
    int SampleIndex,
    string Prompt,
    string Completion,
    string? Answer,
    bool Correct,
    double? Reward,
    int ReasoningTokens,
    int AnswerTokens,
    double? Score
);
