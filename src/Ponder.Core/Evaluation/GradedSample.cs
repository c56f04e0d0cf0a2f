namespace Ponder.Evaluation;

/// <summary>One sampled completion after grading: the unit every metric is computed from.</summary>
/// <param name="ProblemId">The problem this sample answers.</param>
/// <param name="SampleIndex">The sample's index within its problem (informational; metrics use the list order).</param>
/// <param name="Canonical">The grader's canonical answer — the key majority voting groups by — or null when no answer
/// could be extracted (a missing answer never wins a vote).</param>
/// <param name="Correct">Whether the grader judged the answer right.</param>
/// <param name="Score">A scorer's score (higher is better), or null when there is no scorer.</param>
public sealed record GradedSample(string ProblemId, int SampleIndex, string? Canonical, bool Correct, double? Score);
