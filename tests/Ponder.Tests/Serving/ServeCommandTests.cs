namespace Ponder.Tests.Serving;

public sealed class ServeCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Ponder.Cli.Cli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Given_an_unknown_reasoning_mode_Then_one_line_says_the_choices()
    {
        var (code, _, err) = Run("serve", "--model", "/nonexistent", "--reasoning", "verbose");
        Assert.Equal(1, code);
        Assert.Equal("error: --reasoning verbose: use hidden, summary or raw.", err.Trim());
    }

    [Fact]
    public void Given_help_Then_serve_and_bench_serve_list_their_options()
    {
        var (_, serve, _) = Run("serve", "--help");
        var (_, bench, _) = Run("bench", "serve", "--help");
        foreach (
            var option in new[]
            {
                "--host",
                "--port",
                "--api-key",
                "--reasoning",
                "--max-concurrency",
                "--max-queue",
                "--monitor",
            }
        )
        {
            Assert.Contains(option, serve, StringComparison.Ordinal);
        }

        Assert.Contains("--clients", bench, StringComparison.Ordinal);
    }
}
