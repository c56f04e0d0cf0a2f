using Ponder.Rollouts;
using Ponder.Rollouts.Monitoring;

namespace Ponder.Reinforcement;

/// <summary>
/// The CoT monitor in RL: the monitor the server uses reads every rollout's reasoning, and the share it flags is
/// logged each step, so a rise warns of reward hacking while the run goes on. Its verdicts reach the reward only
/// through <see cref="RlOptions.MonitorPenalty"/>, which is off by default.
/// </summary>
public static class CotReview
{
    /// <summary>The metric: the share of a step's rollouts the monitor flagged or blocked.</summary>
    public const string FlagRate = "monitor/flag_rate";

    /// <summary>The metric: the share it blocked (also counted in <see cref="FlagRate"/>).</summary>
    public const string BlockRate = "monitor/block_rate";

    /// <summary>The request id the monitor is given: the step as logged (1 for a run's first) and the rollout's
    /// index among those the step sampled, every sampling round counted.</summary>
    public static string RequestId(int step, int index) => $"rl-step{step}-{index}";

    /// <summary>The monitor's verdict on each rollout's reasoning, the rollouts numbered from
    /// <paramref name="first"/>; without a monitor every one is allowed.</summary>
    public static List<CotVerdict> Review(ICotMonitor? monitor, IReadOnlyList<Rollout> rollouts, int step, int first) =>
        monitor is null
            ? [.. rollouts.Select(_ => CotVerdict.Allowed)]
            : [.. rollouts.Select((r, i) => monitor.Review(RequestId(step, first + i), r.Reasoning))];

    /// <summary><see cref="FlagRate"/> and <see cref="BlockRate"/> of one step's verdicts (0 for none).</summary>
    public static Dictionary<string, double> Metrics(IReadOnlyList<CotVerdict> verdicts) =>
        new()
        {
            [FlagRate] = Share(verdicts, a => a != CotAction.Allow),
            [BlockRate] = Share(verdicts, a => a == CotAction.Block),
        };

    static double Share(IReadOnlyList<CotVerdict> verdicts, Func<CotAction, bool> counted) =>
        verdicts.Count == 0 ? 0 : verdicts.Count(v => counted(v.Action)) / (double)verdicts.Count;
}
