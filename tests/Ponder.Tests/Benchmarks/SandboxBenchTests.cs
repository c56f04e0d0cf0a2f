using System.Text.Json;
using Ponder.Tests.Tasks.Code;

namespace Ponder.Tests.Benchmarks;

[Collection(CodeFixture.Collection)]
public sealed class SandboxBenchTests
{
    [Fact]
    public void Given_bench_sandbox_Then_it_reports_throughput_and_the_overhead_against_bare_python()
    {
        var (code, stdout, stderr) = Ponder.Tests.Cli.PonderCli.Run(
            "bench",
            "sandbox",
            "--programs",
            "4",
            "--repeats",
            "1",
            "--json"
        );

        Assert.True(code == 0, stderr);
        var m = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(
            ("bench sandbox", 2, 4),
            (
                m.GetProperty("command").GetString(),
                m.GetProperty("workers").GetInt32(),
                m.GetProperty("programs").GetInt32()
            )
        );
        Assert.True(m.GetProperty("programs_per_second").GetDouble() > 0);
        double ratio = m.GetProperty("sandbox_run_ms").GetDouble() / m.GetProperty("bare_run_ms").GetDouble();
        Assert.Equal(ratio, m.GetProperty("overhead_ratio").GetDouble(), 9);
    }
}
