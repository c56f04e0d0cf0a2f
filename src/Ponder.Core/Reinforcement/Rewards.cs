using Ponder.Algorithms;
using Ponder.Rollouts;

namespace Ponder.Reinforcement;

/// <summary>
/// R1-Zero's rule rewards: accuracy from the task's one grader (1 or 0, or its partial credit when asked) plus a small format reward for a
/// well-formed <c>&lt;think&gt;…&lt;/think&gt;</c> then answer; optionally DAPO's soft overlong punishment.
/// No learned reward model (it invites reward hacking).
/// </summary>
public static class Rewards
{
    public static double For(Rollout r, RlOptions o)
    {
        double accuracy =
            o.PartialReward && r.Grade.Score is { } partial ? partial
            : r.Grade.Correct ? 1.0
            : 0.0;
        double reward = accuracy + (r.WellFormed ? o.FormatReward : 0.0);
        if (o.OverlongWindow > 0)
            reward += Dapo.SoftOverlongPenalty(r.Completion.TokenIds.Count, o.MaxCompletionTokens, o.OverlongWindow);
        return reward;
    }
}
