namespace Ponder.Tests.Cli;

/// <summary><c>ponder rl --rollout-endpoints</c> from the command line: replicas that cannot be reached end the run
/// with what to do, and fleet options without endpoints are refused.</summary>
public sealed class FleetCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    string[] Rl(params string[] extra)
    {
        string model = dir.File("tiny");
        if (!Directory.Exists(model))
            Assert.Equal(0, PonderCli.Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);
        string[] common =
        [
            "rl",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--out",
            dir.File("run"),
            "--steps",
            "1",
            "--prompts",
            "1",
            "--group-size",
            "2",
            "--max-tokens",
            "4",
            "--eval-problems",
            "1",
            "--eval-samples",
            "1",
        ];
        return [.. common, .. extra];
    }

    [Fact]
    public void Given_an_unreachable_replica_Then_rl_stops_with_what_to_do()
    {
        // port 9 (discard): nothing listens there on a test machine
        var (code, _, err) = PonderCli.Run(Rl("--rollout-endpoints", "http://127.0.0.1:9", "--rollout-model", "m"));

        Assert.NotEqual(0, code);
        Assert.Contains("every rollout replica is down", err);
        Assert.Contains("http://127.0.0.1:9/", err);
        Assert.Contains("--resume", err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }

    [Fact]
    public void Given_a_fleet_option_without_endpoints_Then_it_is_refused()
    {
        var (code, _, err) = PonderCli.Run(Rl("--sync", "adapter"));

        Assert.NotEqual(0, code);
        Assert.Contains("--sync is set but --rollout-endpoints is not", err);
    }
}
