using Ponder.Generation;
using Ponder.Tasks;

namespace Ponder.Rollouts;

/// <summary>A sampled completion for a problem, split into reasoning and answer, and graded by the task's
/// grader.</summary>
/// <param name="ReasoningTokens">Tokens up to and including <c>&lt;/think&gt;</c> (all of them if it never
/// closed).</param>
/// <param name="AnswerTokens">Tokens after <c>&lt;/think&gt;</c>, including the end-of-turn token.</param>
/// <param name="WellFormed">The reasoning was closed with <c>&lt;/think&gt;</c> and an answer followed before the turn
/// ended.</param>
public sealed record Rollout(
    Problem Problem,
    Completion Completion,
    string Reasoning,
    string Answer,
    Grade Grade,
    int ReasoningTokens,
    int AnswerTokens,
    bool WellFormed
)
{
    /// <summary>The model's turns: more than one when it called tools (<see cref="MultiTurnRollouts"/>).</summary>
    public int Turns { get; init; } = 1;

    /// <summary>Tool calls the model made over its turns.</summary>
    public int ToolCalls { get; init; }
}
