using Ponder.Tasks;
using Ponder.Tasks.Datasets;
using Ponder.Tasks.Graders;

namespace Ponder.Tests.Tasks.Datasets;

/// <summary>Every gold of the public files grades correct against itself: the graders and the loaders agree with the
/// data users evaluate on.</summary>
public sealed class SharedDataTests
{
    [Fact]
    public void Given_gsm8k_test_then_every_gold_and_every_solution_grades_correct()
    {
        var task = DatasetTasks.Create("gsm8k", SharedData.File("gsm8k-test.jsonl"));

        var problems = task.Problems(TaskSplit.Test, null);

        Assert.Equal(1319, problems.Count);
        var failures = problems
            .Where(p => !task.Grade(p, $"#### {p.Reference}").Correct || !task.Grade(p, p.Metadata["solution"]).Correct)
            .Select(p => $"{p.Id}: {p.Reference}")
            .ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal("gsm8k-1", problems[0].Id);
        Assert.Equal("18", problems[0].Reference);
    }

    [Fact]
    public void Given_math500_then_the_boxed_answer_of_each_solution_grades_correct()
    {
        var task = DatasetTasks.Create("math", SharedData.File("math500-test.jsonl"));

        var problems = task.Problems(TaskSplit.Test, null);

        Assert.Equal(500, problems.Count);
        var failures = problems
            .Where(p => !task.Grade(p, p.Metadata["solution"]).Correct)
            .Select(p => $"{p.Id}: gold {p.Reference} | boxed {Boxed.Last(p.Metadata["solution"])}")
            .ToList();
        var rate = 1.0 - failures.Count / 500.0;
        Assert.True(rate >= 0.99, $"self-consistency {rate:P1}; failures:\n{string.Join("\n", failures)}");
        Assert.Equal("test/precalculus/807.json", problems[0].Id);
        // The canonical form is a fixed point, so a voted answer can be graded again as it is.
        Assert.All(
            problems,
            p =>
                Assert.Equal(MathAnswer.Canonical(p.Reference), MathAnswer.Canonical(MathAnswer.Canonical(p.Reference)))
        );
    }

    [Fact]
    public void Given_aime24_then_golds_grade_correct_with_and_without_padding()
    {
        var task = DatasetTasks.Create("aime", SharedData.File("aime24-test.jsonl"));

        var problems = task.Problems(TaskSplit.Test, null);

        Assert.Equal(30, problems.Count);
        Assert.Contains(problems, p => p.Metadata.ContainsKey("url"));
        foreach (var p in problems)
        {
            var value = int.Parse(p.Reference, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(task.Grade(p, $"\\boxed{{{value}}}").Correct, p.Id);
            Assert.True(task.Grade(p, $"\\boxed{{{value:D3}}}").Correct, p.Id);
            Assert.True(task.Grade(p, $"The answer is {value:D3}.").Correct, p.Id);
            Assert.False(task.Grade(p, $"\\boxed{{{(value + 1) % 1000}}}").Correct, p.Id);
            Assert.Equal(
                value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                task.Grade(p, $"\\boxed{{{value:D3}}}").Canonical
            );
        }
        Assert.Equal("60", problems[0].Id);
        Assert.Equal("25", problems.Single(p => p.Id == "67").Reference);
    }
}
