using Ponder.Rollouts;

namespace Ponder.Reinforcement;

/// <summary>What one RL step did: its metrics (named as logged) and the graded rollouts it trained on.</summary>
public sealed record RlStep(
    int Step,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<Rollout> Rollouts,
    IReadOnlyList<double> Rewards
);
