using Ponder.Environments;
using Ponder.Sandbox;
using Ponder.Tasks;
using Ponder.Tasks.Generated;
using Ponder.Tests.Tasks.Code;
using Ponder.Text;
using Ponder.Training;

namespace Ponder.Tests.Tasks.Generated;

/// <summary>Arithmetic with <c>tool=python</c>: the prompt line, the reference conversation that calls python, and
/// SFT on it.</summary>
public sealed class ArithmeticToolTests
{
    static readonly ArithmeticTask Plain = new(new ArithmeticOptions());
    static readonly ArithmeticTask WithTool = new(new ArithmeticOptions { Tool = "python" });

    [Fact]
    public void Given_tool_python_When_prompting_Then_a_line_shows_the_call_format_and_grading_is_unchanged()
    {
        var problem = ArithmeticTask.Create(347, '*', 28);

        string prompt = WithTool.Prompt(problem);

        Assert.Equal(
            "Compute 347*28.\nYou may run Python by writing:\n<tool_call>\n"
                + "{\"name\": \"python\", \"arguments\": {\"code\": \"print(A * B)\"}}\n</tool_call>",
            prompt
        );
        Assert.Equal("Compute 347*28.", Plain.Prompt(problem));
        // The example in the prompt is a call the rollout reads: the format is the one the parser knows.
        var (_, calls) = ToolCalls.Parse(
            prompt[prompt.IndexOf("<tool_call>", StringComparison.Ordinal)..],
            ToolCallFormat.Hermes
        );
        Assert.Equal([new ToolCall("python", """{"code": "print(A * B)"}""")], calls);
        Assert.True(WithTool.Grade(problem, "9716").Correct);
        Assert.Null(Plain.Conversation(problem, new Random(0)));
    }

    [Fact]
    public void Given_28_minus_347_with_the_tool_Then_the_conversation_calls_python_and_answers_its_result()
    {
        var problem = ArithmeticTask.Create(28, '-', 347);

        var conversation = WithTool.Conversation(problem, new Random(0))!;

        // 28 − 347 = −319.
        Assert.Equal(4, conversation.Count);
        Assert.Equal(new ChatMessage(ChatRole.User, WithTool.Prompt(problem)), conversation[0]);
        Assert.Equal(ChatRole.Assistant, conversation[1].Role);
        Assert.Equal("", conversation[1].Content);
        Assert.Equal([new ToolCall("python", """{"code": "print(28 - 347)"}""")], conversation[1].ToolCalls!);
        Assert.Equal(new ChatMessage(ChatRole.Tool, "-319", ToolCallId: "call_0"), conversation[2]);
        Assert.Equal(ChatRole.Assistant, conversation[3].Role);
        Assert.Equal("-319", conversation[3].Content);
        Assert.True(WithTool.Grade(problem, conversation[3].Content).Correct);
    }

    [Fact]
    public void Given_settings_Then_tool_python_or_none_is_accepted_and_anything_else_names_the_choices()
    {
        var python = (ArithmeticTask)GeneratedTasks.Create("arithmetic", Settings("tool", "python"), 0);
        var none = (ArithmeticTask)GeneratedTasks.Create("arithmetic", Settings("tool", "none"), 0);

        var bash = Assert.Throws<PonderException>(() =>
            GeneratedTasks.Create("arithmetic", Settings("tool", "bash"), 0)
        );

        Assert.Equal("python", python.Options.Tool);
        Assert.Null(none.Options.Tool);
        Assert.Equal("arithmetic: tool must be python or none (got \"bash\")", bash.Message);
    }

    [Fact]
    public void Given_the_tool_task_When_SFT_reads_it_Then_examples_are_conversations_and_definitions_untrained()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        var template = new ChatTemplate(tokenizer);
        var data = SftData.FromTask(WithTool, seed: 0, poolSize: 20);
        var described = data.WithTools([PythonTool.FunctionDefinition]);

        var example = data.Get(3);
        var (bare, bareMask, _) = SftBatch.Tokenize(template, example, 10_000, data.Tools);
        var (full, fullMask, _) = SftBatch.Tokenize(template, example, 10_000, described.Tools);

        Assert.Equal(4, example.Count);
        Assert.Equal(bare, template.RenderForTraining(described.Get(3)).Ids); // the same conversation
        Assert.Null(data.Tools);
        Assert.Equal(data.Description + " with tool definitions: python", described.Description);
        Assert.Equal(template.RenderForTraining(example, [PythonTool.FunctionDefinition]).Ids, full);
        Assert.True(full.Length > bare.Length, "the definitions add a system turn");
        // The definitions are the environment's: the same tokens are trained with and without them.
        Assert.Equal(bareMask.Count(x => x), fullMask.Count(x => x));
        Assert.Contains("# Tools", tokenizer.Decode(full), StringComparison.Ordinal);
        Assert.DoesNotContain("# Tools", tokenizer.Decode(bare), StringComparison.Ordinal);
        Assert.Equal(2, SftData.FromTask(Plain, seed: 0, poolSize: 20).Get(3).Count);
    }

    static Dictionary<string, string> Settings(string key, string value) => new() { [key] = value };
}

/// <summary>The reference conversation's tool result is what the python tool returns, run in the sandbox.</summary>
[Collection(CodeFixture.Collection)]
public sealed class ArithmeticToolSandboxTests
{
    static readonly ArithmeticTask Task = new(new ArithmeticOptions { Tool = "python" });

    [Theory]
    [InlineData(347, '*', 28)] // 9716
    [InlineData(28, '-', 347)] // -319: a negative result
    [InlineData(0, '-', 999_999_999)] // -999999999
    [InlineData(999_999_999, '*', 999_999_999)] // 999999998000000001: still a long
    [InlineData(55, '-', 55)] // 0
    [InlineData(999, '+', 1)] // 1000
    public void Given_a_problem_Then_the_trace_tool_message_is_what_python_in_the_sandbox_prints(
        long a,
        char op,
        long b
    )
    {
        var problem = ArithmeticTask.Create(a, op, b);
        var conversation = Task.Conversation(problem, new Random(0))!;
        using var sandbox = Bubblewrap.Open(1);

        string result = new PythonTool(sandbox).Invoke(conversation[1].ToolCalls![0].ArgumentsJson);

        Assert.Equal(result, conversation[2].Content);
        Assert.Equal(problem.Reference, result);
    }

    [Fact]
    public void Given_the_environment_When_the_reference_turns_are_acted_Then_the_call_runs_and_the_answer_is_right()
    {
        var problem = ArithmeticTask.Create(4_321, '*', 8_765);
        var conversation = Task.Conversation(problem, new Random(0))!;
        using var sandbox = Bubblewrap.Open(1);
        var episode = new ToolEnvironment(Task, [new PythonTool(sandbox)]).Reset(problem);

        var call = episode.Act(
            new ModelTurn(ChatTemplate.CallsText(conversation[1]), conversation[1].ToolCalls!),
            false
        );
        var answer = episode.Act(new ModelTurn(conversation[3].Content, []), false);

        // 4321 · 8765 = 37,873,565.
        Assert.Equal([conversation[0]], episode.Observation);
        Assert.Equal([conversation[2]], call.Observation);
        Assert.Equal("37873565", conversation[2].Content);
        Assert.False(call.Done);
        Assert.True(answer.Done);
        Assert.True(answer.Grade!.Correct);
        Assert.Equal(1, answer.Reward);
    }
}
