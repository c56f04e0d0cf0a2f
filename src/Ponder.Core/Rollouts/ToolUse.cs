using Ponder.Environments;

namespace Ponder.Rollouts;

/// <summary>Sampling with tools: each rollout is an episode of <paramref name="Environment"/>
/// (<see cref="MultiTurnRollouts"/>), run as <paramref name="Turns"/> says.</summary>
public sealed record ToolUse(IEnvironment Environment, MultiTurnOptions Turns);
