using Ponder.Tasks;
using Ponder.Tasks.Datasets;

namespace Ponder.Tests.Tasks.Datasets;

public sealed class DatasetTasksTests
{
    [Theory]
    [InlineData("gsm8k", "question", "answer")]
    [InlineData("math", "problem", "answer")]
    [InlineData("aime", "problem", "answer")]
    [InlineData("choice", "question", "answer")]
    public void Given_a_task_name_then_its_preset_fields(string name, string question, string answer)
    {
        var task = DatasetTasks.Create(name, "data.jsonl");

        Assert.Equal(name, task.Name);
        Assert.Equal(question, task.Options.QuestionField);
        Assert.Equal(answer, task.Options.AnswerField);
        Assert.False(task.Options.SkipMalformed);
    }

    [Fact]
    public void Given_an_unknown_task_then_error_lists_the_known_ones()
    {
        var error = Assert.Throws<PonderException>(() => DatasetTasks.Create("gsm9k", "data.jsonl"));

        Assert.Equal("unknown dataset task \"gsm9k\"; known: gsm8k, math, aime, choice", error.Message);
    }

    [Fact]
    public void Given_a_misspelt_field_setting_then_error_lists_the_known_ones()
    {
        var overrides = new Dictionary<string, string> { ["questoin"] = "prompt" };

        var error = Assert.Throws<PonderException>(() => DatasetTasks.Create("math", "data.jsonl", overrides));

        Assert.Equal("unknown field setting \"questoin\"; known: question, answer, choices, id", error.Message);
    }

    [Fact]
    public void Given_choices_setting_for_a_task_without_choices_then_error()
    {
        var overrides = new Dictionary<string, string> { ["choices"] = "options" };

        var error = Assert.Throws<PonderException>(() => DatasetTasks.Create("gsm8k", "data.jsonl", overrides));

        Assert.Contains("does not apply to task gsm8k", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_field_overrides_and_skip_then_rows_read_from_those_fields_in_file_order()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(
            dir,
            """{"prompt": "1+1?", "gold": "2", "key": "a"}""",
            "garbage",
            """{"prompt": "2+2?", "gold": 4, "key": "b"}""",
            """{"prompt": "3+3?", "gold": 6, "key": "c"}"""
        );
        var overrides = new Dictionary<string, string>
        {
            ["question"] = "prompt",
            ["answer"] = "gold",
            ["id"] = "key",
        };
        var task = DatasetTasks.Create("gsm8k", path, overrides, skipMalformed: true);

        var firstTwo = task.Problems(TaskSplit.Train, 2); // the split is ignored for datasets

        Assert.Equal(["a", "b"], firstTwo.Select(p => p.Id));
        Assert.Equal(["1+1?", "2+2?"], firstTwo.Select(p => p.Question));
        Assert.Equal(["2", "4"], firstTwo.Select(p => p.Reference));
        Assert.Equal(3, task.Problems(TaskSplit.Test, null).Count);
        Assert.Equal(3, task.Problems(TaskSplit.Test, 10).Count);
        Assert.Equal(1, task.SkippedLines);
        Assert.Equal("3", firstTwo[1].Metadata["line"]);
    }

    [Fact]
    public void Given_a_missing_overridden_field_then_error_names_the_setting_to_change()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(dir, """{"problem": "p", "answer": "1"}""");
        var task = DatasetTasks.Create("math", path, new Dictionary<string, string> { ["question"] = "text" });

        var error = Assert.Throws<PonderException>(() => task.Problems(TaskSplit.Test, null));

        Assert.Equal(
            $"{path}:1: field \"text\" is missing; set --field question=NAME to use another field",
            error.Message
        );
    }

    [Fact]
    public void Given_no_id_field_then_ids_are_task_and_line()
    {
        using var dir = new TempDir();
        var path = DatasetFiles.Write(dir, "", """{"problem": "p", "answer": "\\frac12"}""");

        var problem = Assert.Single(DatasetTasks.Create("math", path).Problems(TaskSplit.Test, null));

        Assert.Equal("math-2", problem.Id);
        Assert.Equal(@"\frac12", problem.Reference);
    }

    [Fact]
    public void Given_a_negative_count_then_error() =>
        Assert.Throws<PonderException>(() => DatasetTasks.Create("math", "data.jsonl").Problems(TaskSplit.Test, -1));
}
