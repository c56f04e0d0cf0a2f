namespace Ponder.Rollouts.Monitoring;

/// <summary>What a monitor decides about one chain of thought.</summary>
public enum CotAction
{
    /// <summary>Nothing found.</summary>
    Allow,

    /// <summary>Answer normally, but log the request id and the reason for review.</summary>
    Flag,

    /// <summary>Replace the answer with a refusal.</summary>
    Block,
}

/// <summary>A monitor's decision and why (the rule that matched).</summary>
public sealed record CotVerdict(CotAction Action, string Reason)
{
    public static CotVerdict Allowed { get; } = new(CotAction.Allow, "");
}

/// <summary>
/// Reads a finished chain of thought (Baker et al. 2025: monitoring the chain of thought catches misbehaviour an
/// action-only monitor misses). The server asks it about each hidden reasoning before its answer is released; the RL
/// trainer about every rollout's, as an early warning of reward hacking. Called concurrently (request handlers, a
/// fleet sampling ahead), so an implementation must be thread-safe.
/// </summary>
public interface ICotMonitor
{
    CotVerdict Review(string requestId, string reasoning);
}
