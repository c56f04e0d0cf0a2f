using System.Text.Json;

namespace Ponder.Tests.Cli;

/// <summary><c>ponder grade --task math</c> and <c>ponder bench grade</c> on small pairs files.</summary>
public sealed class GradeCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    string Pairs(params string[] lines)
    {
        var path = dir.File("pairs.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Given_one_half_and_its_decimal_When_graded_as_math_Then_correct_with_the_exact_key()
    {
        var pairs = Pairs("""{"reference": "\\frac{1}{2}", "answer": "0.5"}""");

        var r = PonderCli.Run("grade", "--task", "math", "--pairs", pairs, "--json");

        Assert.True(r.Code == 0, r.Err);
        var verdict = JsonDocument.Parse(r.Out.Trim()).RootElement;
        Assert.True(verdict.GetProperty("correct").GetBoolean());
        Assert.Equal("1/2", verdict.GetProperty("canonical").GetString());
    }

    [Fact]
    public void Given_completions_and_bare_answers_When_graded_as_math_Then_each_is_read_and_compared()
    {
        var pairs = Pairs(
            """{"reference": "3\\sqrt{2}", "answer": "So the distance is $\\sqrt{18}$."}""",
            """{"reference": "1024", "answer": "The final answer is $2^{10}$. I hope it is correct."}""",
            """{"reference": "x^2+2x+1", "answer": "(x+1)^2"}""",
            """{"reference": "\\frac{1}{2}", "answer": "I am not sure."}"""
        );

        var r = PonderCli.Run("grade", "--task", "math", "--pairs", pairs, "--json");

        Assert.True(r.Code == 0, r.Err);
        var verdicts = r
            .Out.TrimEnd()
            .Split('\n')
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("correct").GetBoolean());
        Assert.Equal([true, true, true, false], verdicts);
    }

    [Fact]
    public void Given_pairs_When_benchmarking_grading_Then_pairs_per_second_is_reported()
    {
        var pairs = Pairs(
            """{"reference": "\\frac{1}{2}", "answer": "0.5"}""",
            """{"reference": "3\\sqrt{2}", "answer": "\\boxed{\\sqrt{18}}"}"""
        );

        var r = PonderCli.Run("bench", "grade", "--task", "math", "--pairs", pairs, "--passes", "1", "--json");

        Assert.True(r.Code == 0, r.Err);
        var report = JsonDocument.Parse(r.Out.Trim()).RootElement;
        Assert.Equal(2, report.GetProperty("pairs").GetInt32());
        Assert.Equal(2, report.GetProperty("correct").GetInt32());
        Assert.True(report.GetProperty("pairs_per_second").GetDouble() > 0);
    }

    [Fact]
    public void Given_zero_passes_When_benchmarking_grading_Then_the_option_is_named()
    {
        var pairs = Pairs("""{"reference": "1", "answer": "1"}""");

        var r = PonderCli.Run("bench", "grade", "--task", "math", "--pairs", pairs, "--passes", "0");

        Assert.Equal(1, r.Code);
        Assert.Contains("--passes must be at least 1", r.Err, StringComparison.Ordinal);
    }
}
