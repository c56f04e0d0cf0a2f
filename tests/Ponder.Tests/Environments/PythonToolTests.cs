using Ponder.Environments;
using Ponder.Sandbox;
using Ponder.Tasks;
using Ponder.Tests.Tasks.Code;
using Ponder.Text;

namespace Ponder.Tests.Environments;

/// <summary>The python tool runs in the code task's sandbox and answers with what the program printed, or how it
/// failed, as text the model can read.</summary>
[Collection(CodeFixture.Collection)]
public sealed class PythonToolTests
{
    static readonly PythonTool Tool = new(CodeFixture.Sandbox, new SandboxLimits { CpuSeconds = 1 });

    [Theory]
    [InlineData("""{"code": "print(123456 * 654321)"}""", "80779853376")] // 123456 × 654321 = 80,779,853,376
    [InlineData("""{"code": "print(-7 * 6)\nprint()"}""", "-42")] // trailing blank output is trimmed
    [InlineData("""{"code": "x = 1"}""", "(no output)")]
    [InlineData("""{"code": "print('a')\n1/0"}""", "a\nZeroDivisionError: division by zero")]
    [InlineData("""{"code": "while True: pass"}""", "error: time limit (1 s) exceeded")]
    [InlineData("""{"program": "print(1)"}""", "error: call python with {\"code\": \"<program>\"}")]
    [InlineData("not json", "error: call python with {\"code\": \"<program>\"}")]
    public void Given_a_call_Then_the_result_is_the_programs_output_or_its_failure(string arguments, string expected)
    {
        Assert.Equal(expected, Tool.Invoke(arguments));
    }

    [Fact]
    public void Given_a_program_that_reads_the_host_Then_it_sees_nothing_of_it()
    {
        string result = Tool.Invoke("""{"code": "print(open('/etc/hostname').read())"}""");

        Assert.Contains("FileNotFoundError", result);
    }

    [Fact]
    public void Given_an_episode_Then_calls_are_answered_in_order_and_a_turn_without_calls_is_graded()
    {
        var problem = new Problem("p", "6*7?", "42", new Dictionary<string, string>());
        var environment = new ToolEnvironment(new ExactTask(), [Tool]);
        var episode = environment.Reset(problem);

        var step = episode.Act(
            new ModelTurn("", [new ToolCall("python", """{"code": "print(6*7)"}"""), new ToolCall("search", "{}")]),
            lastTurn: false
        );
        var end = episode.Act(new ModelTurn("42", []), lastTurn: false);

        Assert.Equal([new ChatMessage(ChatRole.User, "6*7?")], episode.Observation);
        Assert.False(step.Done);
        Assert.Equal(
            ["42", "error: no tool named \"search\"; the tools are python"],
            step.Observation.Select(m => m.Content)
        );
        Assert.All(step.Observation, m => Assert.Equal(ChatRole.Tool, m.Role));
        Assert.True(end.Done);
        Assert.Equal(1, end.Reward);
        Assert.True(end.Grade!.Correct);
    }

    [Fact]
    public void Given_the_last_turn_Then_a_call_is_not_run_and_the_answer_is_graded()
    {
        var problem = new Problem("p", "6*7?", "42", new Dictionary<string, string>());
        var episode = new ToolEnvironment(new ExactTask(), [Tool]).Reset(problem);

        var step = episode.Act(new ModelTurn("<tool_call>…", [new ToolCall("python", "{}")]), lastTurn: true);

        Assert.True(step.Done);
        Assert.Empty(step.Observation);
        Assert.Equal(0, step.Reward);
    }

    sealed class ExactTask : IReasoningTask
    {
        public string Name => "exact";

        public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) => [];

        public string Prompt(Problem problem) => problem.Question;

        public Grade Grade(Problem problem, string answerText) =>
            new(answerText.Trim() == problem.Reference, answerText.Trim());
    }
}
