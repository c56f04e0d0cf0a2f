using Ponder.Rollouts;
using Ponder.Rollouts.Monitoring;

namespace Ponder.Reinforcement;

/// <summary>What one RL step did: its metrics (named as logged) and the graded rollouts it trained on.</summary>
/// <param name="Verdicts">The CoT monitor's on each rollout; null when the run has no monitor.</param>
public sealed record RlStep(
    int Step,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<Rollout> Rollouts,
    IReadOnlyList<double> Rewards,
    IReadOnlyList<CotVerdict>? Verdicts = null
);
