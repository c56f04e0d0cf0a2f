using Ponder.Tasks;
using Ponder.Tasks.Code;

namespace Ponder.Tests.Tasks.Code;

/// <summary>Reading the public sets' rows and finding the program in an answer; no program runs here.</summary>
[Collection(CodeFixture.Collection)]
public sealed class CodeRowsTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    IReadOnlyList<Problem> Load(string format, params string[] lines)
    {
        string data = dir.File($"{format}.jsonl");
        File.WriteAllLines(data, lines);
        var options = CodeTaskOptions.Parse(data, new Dictionary<string, string> { ["format"] = format }, null, false);
        return CodeRowsProbe.Problems(options);
    }

    [Fact]
    public void Given_codecontests_rows_Then_all_three_test_fields_and_the_limits_are_read()
    {
        string row = System.Text.Json.JsonSerializer.Serialize(
            new
            {
                name = "1A",
                description = "Sum.",
                public_tests = new { input = new[] { "1 2\n" }, output = new[] { "3\n" } },
                private_tests = new { input = new[] { "5 5\n" }, output = new[] { "10\n" } },
                generated_tests = new { input = Array.Empty<string>(), output = Array.Empty<string>() },
                time_limit = new { seconds = 1, nanos = 500_000_000 },
                memory_limit_bytes = 268_435_456,
            }
        );
        var problem = Load("codecontests", row).Single();
        var tests = CodeTests.Of(problem);

        Assert.Equal(("1A", "Sum."), (problem.Id, problem.Question));
        Assert.Equal([new StdioCase("1 2\n", "3\n"), new StdioCase("5 5\n", "10\n")], tests.Cases);
        Assert.Equal((1.5, 256), (tests.TimeLimitSeconds, tests.MemoryLimitMb));
    }

    [Fact]
    public void Given_livecodebench_rows_Then_stdin_tests_are_read_and_functional_rows_skipped_and_counted()
    {
        string data = dir.File("lcb.jsonl");
        File.WriteAllLines(
            data,
            [
                Row("a", "Echo.", """[{"input": "x\n", "output": "x\n", "testtype": "stdin"}]"""),
                Row("b", "Call.", """[{"input": "[1]", "output": "1", "testtype": "functional"}]"""),
            ]
        );
        var options = CodeTaskOptions.Parse(
            data,
            new Dictionary<string, string> { ["format"] = "livecodebench" },
            null,
            false
        );

        var problems = CodeRowsProbe.Problems(options);

        Assert.Equal("a", Assert.Single(problems).Id);
        Assert.Equal([new StdioCase("x\n", "x\n")], CodeTests.Of(problems[0]).Cases);
        Assert.Equal(1, CodeRowsProbe.Skipped(options));
    }

    /// <summary>A LiveCodeBench row: its test cases are a JSON string inside the JSON line.</summary>
    static string Row(string id, string question, string cases) =>
        System.Text.Json.JsonSerializer.Serialize(
            new
            {
                question_id = id,
                question_content = question,
                public_test_cases = cases,
            }
        );

    [Fact]
    public void Given_sanitized_mbpp_rows_Then_a_list_of_imports_is_the_setup()
    {
        string data = dir.File("mbpp.jsonl");
        File.WriteAllLines(
            data,
            [
                """{"task_id": 2, "prompt": "Shared.", "test_list": ["assert f(1) == 1"], """
                    + "\"test_imports\": [\"import math\", \"import re\"]}",
            ]
        );
        var options = CodeTaskOptions.Parse(
            data,
            new Dictionary<string, string> { ["format"] = "mbpp" },
            new Dictionary<string, string> { ["question"] = "prompt", ["setup"] = "test_imports" },
            false
        );

        var tests = CodeTests.Of(CodeRowsProbe.Problems(options).Single());

        Assert.Equal("import math\nimport re", tests.Setup);
        Assert.Equal(["assert f(1) == 1"], tests.Asserts);
    }

    [Theory]
    [InlineData("""{"question": "q", "tests": [{"input": 1, "output": "1"}]}""", "is number, not a string")]
    [InlineData("""{"question": "q", "tests": {"input": ["1"], "output": "1"}}""", "not both lists")]
    [InlineData("""{"question": "q", "tests": [3]}""", "neither an assert string nor an input/output case")]
    [InlineData(
        """{"question": "q", "tests": ["assert 1"], "more": [], "other": {"input": ["1"], "output": ["1"]}}""",
        null
    )]
    [InlineData("""{"question": "q"}""", "has no tests; set --field tests=NAME")]
    public void Given_odd_test_values_Then_loading_fails_with_the_file_line_and_field(string row, string? error)
    {
        if (error is null)
        {
            Assert.Single(Load("generic", row));
            return;
        }
        var e = Assert.Throws<PonderException>(() => Load("generic", row));
        Assert.Contains("generic.jsonl:1: field \"tests\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(error, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("```python\nprint(1)\n```", "print(1)\n")]
    [InlineData("```py\nprint(1)\n```\ntext\n```\nprint(2)\n```", "print(2)\n")]
    [InlineData("```python\nprint(1)\n```\n```cpp\nint main(){}\n```", "print(1)\n")]
    [InlineData("1. Here:\n   ```python\n   def f():\n       return 1\n   ```\n", "def f():\n    return 1\n")]
    [InlineData("```python\nprint(1)\n", null)]
    [InlineData("no code here", null)]
    public void Given_an_answer_Then_the_program_is_its_last_closed_python_or_untagged_block(
        string answer,
        string? code
    ) => Assert.Equal(code, CodeBlocks.Last(answer, CodeLanguages.Python));
}

/// <summary>The problems a code task reads from a file, and how many rows it skipped.</summary>
static class CodeRowsProbe
{
    public static IReadOnlyList<Problem> Problems(CodeTaskOptions options) =>
        new CodeTask(options, CodeFixture.Sandbox).Problems(TaskSplit.Test, null);

    public static int Skipped(CodeTaskOptions options) => new CodeTask(options, CodeFixture.Sandbox).SkippedLines;
}
