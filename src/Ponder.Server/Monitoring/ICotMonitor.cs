namespace Ponder.Server.Monitoring;

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
/// Reads each finished, hidden reasoning before its answer is released (Baker et al. 2025: monitoring the chain of
/// thought catches misbehaviour an action-only monitor misses). Called concurrently from request handlers.
/// </summary>
public interface ICotMonitor
{
    CotVerdict Review(string requestId, string reasoning);
}
