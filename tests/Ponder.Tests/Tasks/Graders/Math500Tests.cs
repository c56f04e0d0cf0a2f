using System.IO.Compression;
using System.Text.Json;
using Ponder.Tasks;
using Ponder.Tasks.Datasets;
using Ponder.Tasks.Graders;

namespace Ponder.Tests.Tasks.Graders;

/// <summary>MATH-500 (Fixtures/math500, prm800k's split): every reference solution's own final answer must grade
/// correct against the reference answer, through the task's grader as RL and evaluation call it.</summary>
public sealed class Math500Tests
{
    static readonly MathTask Task = new(MathTask.Defaults("unused.jsonl"));

    static IReadOnlyList<(string Id, string Solution, string Answer)> Problems()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "math500", "test.jsonl.gz");
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var rows = new List<(string, string, string)>();
        while (reader.ReadLine() is { } line)
        {
            var e = JsonDocument.Parse(line).RootElement;
            rows.Add(
                (
                    e.GetProperty("unique_id").GetString()!,
                    e.GetProperty("solution").GetString()!,
                    e.GetProperty("answer").GetString()!
                )
            );
        }
        return rows;
    }

    [Fact]
    public void Given_math500_Then_every_solutions_last_box_grades_correct()
    {
        var problems = Problems();
        var wrong = new List<string>();
        foreach (var (id, solution, answer) in problems)
        {
            var problem = new Problem(id, "", answer, new Dictionary<string, string>());
            var box = Boxed.Last(solution);
            if (box is null || !Task.Grade(problem, solution).Correct || !MathAnswer.Equivalent(answer, box))
                wrong.Add($"{id}: answer {answer} | box {box}");
        }

        Assert.Equal(500, problems.Count);
        Assert.True(wrong.Count == 0, $"{wrong.Count} of 500 solutions grade wrong:\n" + string.Join("\n", wrong));
    }
}
