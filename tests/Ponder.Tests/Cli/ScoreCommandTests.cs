using System.Text.Json;

namespace Ponder.Tests.Cli;

/// <summary><c>ponder score</c> end to end: the JSON keys and values, defaults, and one-line errors for bad
/// files.</summary>
public sealed class ScoreCommandTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    string Write(params string[] lines)
    {
        string path = dir.File("samples.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    static void AssertOneLineError((int Code, string Out, string Err) r, string expected)
    {
        Assert.NotEqual(0, r.Code);
        Assert.Contains(expected, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
    }

    // Problem 1: answers 5 5 3 5 (right, right, wrong, right), scores .9 .1 .8 .2;
    // problem 2: 7 null 7 2, all wrong but 2.
    static readonly string[] FourEach =
    [
        """{"problem_id":"a","answer":"5","correct":true,"score":0.9}""",
        """{"problem_id":"a","answer":"5","correct":true,"score":0.1}""",
        """{"problem_id":"a","answer":"3","correct":false,"score":0.8}""",
        """{"problem_id":"a","answer":"5","correct":true,"score":0.2}""",
        """{"problem_id":2,"answer":"7","correct":false,"score":0.5}""",
        """{"problem_id":2,"answer":null,"correct":false,"score":0.9}""",
        """{"problem_id":2,"answer":"7","correct":false,"score":0.4}""",
        """{"problem_id":2,"answer":"2","correct":true,"score":0.6}""",
    ];

    [Fact]
    public void Given_scored_samples_and_k_1_4_Then_json_has_every_metric_once()
    {
        var r = Run("score", "--samples", Write(FourEach), "--k", "1,4", "--json");
        Assert.True(r.Code == 0, r.Err);
        Assert.Single(r.Out.TrimEnd().Split('\n'));
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        // pass@1 = mean(3/4, 1/4) = 0.5
        Assert.Equal(0.5, root.GetProperty("pass@1").GetDouble(), 12);
        // pass@4: a: n − c = 1 < 4 → 1; 2: n − c = 3 < 4 → 1
        Assert.Equal(1.0, root.GetProperty("pass@4").GetDouble(), 12);
        // cons@4: a → "5" (3 votes), right; 2 → "7" (2 votes; null never wins), wrong → 0.5
        Assert.Equal(0.5, root.GetProperty("cons@4").GetDouble(), 12);
        // rerank@4: a → 0.9, right; 2 → 0.9 is the null answer, wrong → 0.5
        Assert.Equal(0.5, root.GetProperty("rerank@4").GetDouble(), 12);
        // weighted@4: a → "5" 1.2 vs "3" 0.8, right; 2 → "7" 0.9 vs "2" 0.6, wrong → 0.5
        Assert.Equal(0.5, root.GetProperty("weighted@4").GetDouble(), 12);
        Assert.Equal(2, root.GetProperty("problems").GetInt32());
        Assert.Equal(8, root.GetProperty("samples").GetInt32());
        Assert.Equal(0, root.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public void Given_no_k_and_no_scores_Then_k_defaults_to_powers_of_2_and_rerank_is_absent()
    {
        var lines = FourEach.Select(l => l.Replace(",\"score\"", ",\"unused\"", StringComparison.Ordinal)).ToArray();
        var r = Run("score", "--samples", Write(lines), "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(
            ["pass@1", "cons@1", "pass@2", "cons@2", "pass@4", "cons@4", "problems", "samples", "warnings"],
            keys
        );
    }

    [Fact]
    public void Given_the_table_output_Then_it_shows_each_k()
    {
        var r = Run("score", "--samples", Write(FourEach), "--k", "1,4");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("rerank@k", r.Out, StringComparison.Ordinal);
        Assert.Contains("pass@1 50.0%", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_malformed_line_Then_one_line_names_file_and_line()
    {
        string path = Write(FourEach[0], "{\"problem_id\": \"a\", ");
        AssertOneLineError(Run("score", "--samples", path), $"{path}:2: not valid JSON");
    }

    [Theory]
    [InlineData("""{"answer":"1","correct":true}""", "missing field \"problem_id\"")]
    [InlineData("""{"problem_id":"a","correct":true}""", "missing field \"answer\"")]
    [InlineData("""{"problem_id":"a","answer":"1"}""", "missing field \"correct\"")]
    [InlineData(
        """{"problem_id":"a","answer":"1","correct":"yes"}""",
        "\"correct\" must be true or false, got string \"yes\""
    )]
    public void Given_a_line_without_a_required_field_Then_the_error_names_it(string line, string expected)
    {
        string path = Write(FourEach[0], line);
        AssertOneLineError(Run("score", "--samples", path), $"{path}:2: {expected}");
    }

    [Fact]
    public void Given_k_larger_than_every_problem_Then_one_line_says_so()
    {
        AssertOneLineError(
            Run("score", "--samples", Write(FourEach), "--k", "1,8"),
            "--k 8 is larger than --samples 4"
        );
    }

    [Fact]
    public void Given_a_k_that_is_not_a_number_Then_one_line_says_so()
    {
        AssertOneLineError(
            Run("score", "--samples", Write(FourEach), "--k", "1,x"),
            "--k: \"x\" is not a positive integer"
        );
    }
}
