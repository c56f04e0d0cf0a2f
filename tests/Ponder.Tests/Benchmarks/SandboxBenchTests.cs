using System.Text.Json;
using Ponder.Tests.Tasks.Code;

namespace Ponder.Tests.Benchmarks;

[Collection(CodeFixture.Collection)]
public sealed class SandboxBenchTests
{
    [Fact]
    public void Given_bench_sandbox_Then_it_reports_throughput_and_the_overhead_against_bare_python()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Ponder.Cli.Cli.Run(
            ["bench", "sandbox", "--programs", "4", "--repeats", "1", "--json"],
            stdout,
            stderr
        );

        Assert.True(code == 0, stderr.ToString());
        var m = JsonDocument.Parse(stdout.ToString()).RootElement;
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
