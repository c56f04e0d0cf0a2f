namespace Ponder.Tests.Cli;

public sealed class BenchCommandTests
{
    static (int Code, string Error) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Ponder.Cli.Cli.Run(args, stdout, stderr);
        return (code, stderr.ToString());
    }

    [Theory]
    [InlineData("1,x", "\"x\" is not a positive integer")]
    [InlineData("0", "\"0\" is not a positive integer")]
    [InlineData(",", "give one or more positive sizes")]
    public void Given_a_bad_batch_list_When_benchmarking_generation_Then_one_line_says_what_to_change(
        string batch,
        string expected
    )
    {
        var (code, error) = Run("bench", "generate", "--model", "/nonexistent", "--batch", batch);

        Assert.Equal(1, code);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("--batch", "0", "--batch 0 must be positive")]
    [InlineData("--seq-len", "-1", "--seq-len -1 must be positive")]
    [InlineData("--steps", "0", "--steps 0 must be positive")]
    [InlineData("--threads", "-2", "--threads -2 must be 0 (default) or positive")]
    public void Given_a_non_positive_size_When_benchmarking_training_Then_the_option_is_named(
        string option,
        string value,
        string expected
    )
    {
        var (code, error) = Run("bench", "train", "--model", "/nonexistent", option, value);

        Assert.Equal(1, code);
        Assert.Contains(expected, error);
    }
}
