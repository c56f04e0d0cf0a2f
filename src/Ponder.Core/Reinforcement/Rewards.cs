using Ponder.Algorithms;
using Ponder.Rollouts;
using Ponder.Rollouts.Monitoring;

namespace Ponder.Reinforcement;

/// <summary>
/// R1-Zero's rule rewards: accuracy from the task's one grader (1 or 0, or its partial credit when asked) plus a
/// small format reward for a well-formed <c>&lt;think&gt;…&lt;/think&gt;</c> then answer; optionally DAPO's soft
/// overlong punishment.
/// No learned reward model (it invites reward hacking).
/// </summary>
public static class Rewards
{
    /// <param name="monitor">What the CoT monitor decided about the rollout's reasoning: a flag or block costs
    /// <see cref="RlOptions.MonitorPenalty"/> (0 by default, so the monitor only watches).</param>
    public static double For(Rollout r, RlOptions o, CotAction monitor = CotAction.Allow)
    {
        double accuracy =
            o.PartialReward && r.Grade.Score is { } partial ? partial
            : r.Grade.Correct ? 1.0
            : 0.0;
        double reward = accuracy + (r.WellFormed ? o.FormatReward : 0.0);
        if (o.OverlongWindow > 0)
            reward += Dapo.SoftOverlongPenalty(r.Completion.ModelTokens, o.MaxCompletionTokens, o.OverlongWindow);
        if (monitor != CotAction.Allow)
            reward -= o.MonitorPenalty;
        return reward;
    }
}
