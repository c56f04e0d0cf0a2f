namespace Ponder.Tests.Runs;

/// <summary>A clock that always says the same time, so run names and wall times are exact.</summary>
sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
