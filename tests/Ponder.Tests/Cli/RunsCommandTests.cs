using System.Text.Json;
using Ponder.Runs;
using Ponder.Tests.Runs;

namespace Ponder.Tests.Cli;

/// <summary><c>ponder runs</c> lists run folders with their headline values and last step.</summary>
public sealed class RunsCommandTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    void MakeRun()
    {
        using var run = RunStore.Create(
            dir.Path,
            "grpo",
            null,
            new { Steps = 5 },
            new FixedTime(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero))
        );
        run.LogMetrics(5, new Dictionary<string, double> { ["train/loss"] = 0.5 });
        run.SetHeadline("pass@1", "0.62");
    }

    [Fact]
    public void Given_a_run_Then_json_lines_carry_name_kind_created_headlines_and_last_step()
    {
        MakeRun();
        var r = Run("runs", "--root", dir.Path, "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(Assert.Single(r.Out.TrimEnd().Split('\n')));
        var root = doc.RootElement;
        Assert.Equal("20250304-050607-grpo", root.GetProperty("name").GetString());
        Assert.Equal("grpo", root.GetProperty("kind").GetString());
        Assert.Equal("2025-03-04T05:06:07Z", root.GetProperty("created").GetString());
        Assert.Equal(5, root.GetProperty("last_step").GetInt32());
        Assert.Equal("0.62", root.GetProperty("headlines").GetProperty("pass@1").GetString());
    }

    [Fact]
    public void Given_a_run_Then_the_table_shows_it()
    {
        MakeRun();
        var r = Run("runs", "--root", dir.Path);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("20250304-050607-grpo", r.Out, StringComparison.Ordinal);
        Assert.Contains("pass@1 0.62", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_run_with_a_corrupt_metrics_db_Then_the_others_are_listed_and_it_is_named_unreadable()
    {
        MakeRun();
        string broken = Path.Combine(dir.Path, "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, RunStore.DatabaseFile), "not a database, just text");

        var table = Run("runs", "--root", dir.Path);
        var json = Run("runs", "--root", dir.Path, "--json");

        Assert.True(table.Code == 0, table.Err);
        Assert.Contains("20250304-050607-grpo", table.Out, StringComparison.Ordinal);
        Assert.Contains("unreadable", table.Out, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(broken, RunStore.DatabaseFile), table.Err, StringComparison.Ordinal);
        Assert.True(json.Code == 0, json.Err);
        var lines = json.Out.TrimEnd().Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["20250304-050607-grpo", "broken"], lines.Select(l => l.GetProperty("name").GetString()));
        Assert.Contains("metrics.db", lines[1].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Given_no_runs_Then_it_says_so_and_succeeds()
    {
        var r = Run("runs", "--root", dir.File("none"));
        Assert.Equal(0, r.Code);
        Assert.Contains("no runs under", r.Err, StringComparison.Ordinal);
    }
}
