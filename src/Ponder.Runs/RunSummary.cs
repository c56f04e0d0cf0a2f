namespace Ponder.Runs;

/// <summary>What <c>ponder runs</c> shows of one run.</summary>
/// <param name="Created">The creation time as stored (ISO 8601, UTC).</param>
/// <param name="Headlines">Headline values set with <see cref="RunStore.SetHeadline"/>, by key.</param>
/// <param name="LastStep">The largest step with a logged metric, or null when none was logged.</param>
/// <param name="Error">Why the run could not be read (its <c>metrics.db</c> named), or null when it was.</param>
public sealed record RunSummary(
    string Name,
    string Kind,
    string Created,
    IReadOnlyDictionary<string, string> Headlines,
    int? LastStep,
    string? Error = null
)
{
    /// <summary>A run folder whose database cannot be read: listed by name, with the reason.</summary>
    public static RunSummary Unreadable(string name, string error) =>
        new(name, "unreadable", "?", new Dictionary<string, string>(), null, error);
}
