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
    /// <summary>How a multi-turn rollout used its tools; null for a single-turn rollout, which offered none.
    /// <value>The default value is null.</value></summary>
    public ToolUse? Tools { get; init; }
}

/// <summary>A multi-turn rollout's turns and calls.</summary>
/// <param name="Turns">Model turns (1 when it answered without calling a tool).</param>
/// <param name="Calls">Tool calls over all turns (calls of a last turn, which are not run, included).</param>
public sealed record ToolUse(int Turns, int Calls);
