using System.Text.Json;
using Ponder.Environments;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Rollouts;
using Ponder.Tasks;
using Ponder.Text;
using Ponder.Training;

namespace Ponder.Tests.Rollouts;

/// <summary>A tiny model taught one tool-use conversation (call, result, answer) by SFT, so greedy decoding makes
/// the call: built once for the class.</summary>
public sealed class ToolCallerFixture : IDisposable
{
    public const string Question = "6*7?";

    /// <summary>What the model writes in its first turn (its reasoning is in the think block).</summary>
    public static readonly ChatMessage Call = new(
        ChatRole.Assistant,
        "",
        "use python",
        [new ToolCall("python", """{"code": "print(6*7)"}""")]
    );

    public ToolCallerFixture()
    {
        using var dir = new TempDir();
        string data = dir.File("tool.jsonl");
        var line = new
        {
            messages = new object[]
            {
                new { role = "user", content = Question },
                new
                {
                    role = "assistant",
                    content = (string?)null,
                    reasoning_content = Call.Reasoning,
                    tool_calls = new[]
                    {
                        new
                        {
                            type = "function",
                            function = new { name = "python", arguments = Call.ToolCalls![0].ArgumentsJson },
                        },
                    },
                },
                new { role = "tool", content = "42" },
                new
                {
                    role = "assistant",
                    content = "42",
                    reasoning_content = "the tool said 42",
                },
            },
        };
        File.WriteAllText(data, JsonSerializer.Serialize(line));
        Model = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 3);
        var options = new SftOptions
        {
            Steps = 120,
            BatchSize = 2,
            LearningRate = 1e-2,
            WarmupSteps = 10,
            EvalEvery = 1_000,
            CheckpointEvery = 1_000,
        };
        using var trainer = new SftTrainer(Model, SftData.FromFile(data, seed: 1), options);
        while (!trainer.Finished)
            trainer.Step();
    }

    public LanguageModel Model { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>Multi-turn rollouts: the call runs in the environment, its result is appended as the environment's
/// tokens, the model continues, and other rows keep decoding while one waits for its tool.</summary>
public sealed class MultiTurnRolloutsTests(ToolCallerFixture fixture) : IClassFixture<ToolCallerFixture>
{
    static readonly Problem Problem = new("p", ToolCallerFixture.Question, "42", new Dictionary<string, string>());

    static readonly SamplingOptions Greedy = new()
    {
        Temperature = 0,
        MaxNewTokens = 200,
        N = 1,
        Seed = 1,
    };

    [Fact]
    public void Given_a_model_that_calls_python_Then_the_result_comes_back_and_the_second_turn_answers()
    {
        var tool = new ScriptedTool(_ => "42");

        var rollout = Episodes(tool, Greedy).Single();

        Assert.Equal(["""{"code": "print(6*7)"}"""], tool.Calls);
        Assert.Equal(2, rollout.Turns);
        Assert.Equal(1, rollout.ToolCalls);
        Assert.True(rollout.Grade.Correct, rollout.Completion.Text);
        Assert.Equal("42", rollout.Answer);
        // The environment's tokens are exactly the tool-result turn the template writes, and only they are marked.
        var c = rollout.Completion;
        var fromEnvironment = c.TokenIds.Where((_, i) => !c.IsModelToken(i)).ToArray();
        var expected = fixture.Model.Prompt!.ToolResultTokens([new ChatMessage(ChatRole.Tool, "42")]);
        Assert.Equal(expected, fromEnvironment);
        Assert.Equal(
            "\n<|im_start|>user\n<tool_response>\n42\n</tool_response><|im_end|>\n<|im_start|>assistant\n<think>\n",
            fixture.Model.Tokenizer.Decode(fromEnvironment)
        );
        Assert.All(c.Logprobs.Where((_, i) => !c.IsModelToken(i)), l => Assert.Equal(0f, l));
        Assert.Equal(c.TokenIds.Count - expected.Length, c.ModelTokens);
        Assert.Equal(c.ModelTokens, rollout.ReasoningTokens + rollout.AnswerTokens);
    }

    [Fact]
    public void Given_one_tool_call_waits_Then_the_other_rows_keep_decoding_to_their_end()
    {
        // The first call blocks until another episode has finished: if the engine stopped for it, nothing would
        // finish and the call would time out.
        using var otherFinished = new ManualResetEventSlim();
        int calls = 0;
        bool waited = false;
        var tool = new ScriptedTool(_ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
                waited = otherFinished.Wait(TimeSpan.FromSeconds(60));
            return "42";
        });
        var progress = new Counter(otherFinished);

        var rollouts = Episodes(tool, Greedy with { N = 3, Temperature = 0 }, progress: progress);

        Assert.True(waited, "the waiting call was released only by its timeout");
        Assert.All(rollouts, r => Assert.True(r.Grade.Correct));
    }

    [Fact]
    public void Given_the_turn_limit_of_one_Then_the_call_is_not_run_and_the_answer_is_graded_as_it_is()
    {
        var tool = new ScriptedTool(_ => "42");

        var rollout = Episodes(tool, Greedy, turns: new() { MaxTurns = 1, DescribeTools = false }).Single();

        Assert.Empty(tool.Calls);
        Assert.Equal(1, rollout.Turns);
        Assert.False(rollout.Grade.Correct);
        Assert.DoesNotContain(true, rollout.Completion.FromEnvironment!);
    }

    [Fact]
    public void Given_a_budget_that_ends_in_the_first_turn_Then_the_episode_ends_without_an_answer()
    {
        var tool = new ScriptedTool(_ => "42");

        var rollout = Episodes(tool, Greedy with { MaxNewTokens = 8 }).Single();

        Assert.Equal(FinishReason.Length, rollout.Completion.Finish);
        Assert.Equal(8, rollout.Completion.ModelTokens);
        Assert.Empty(tool.Calls);
        Assert.False(rollout.Grade.Correct);
    }

    [Fact]
    public void Given_the_budget_runs_out_in_the_second_turn_Then_the_model_wrote_exactly_the_budget_and_no_answer()
    {
        var tool = new ScriptedTool(_ => "42");
        // The first turn (reasoning, call, end of turn) is well under 100 tokens; the second gets what is left.
        var rollout = Episodes(tool, Greedy with { MaxNewTokens = 100 }).Single();

        Assert.Equal(2, rollout.Turns);
        Assert.Equal(100, rollout.Completion.ModelTokens);
        Assert.Equal(FinishReason.Length, rollout.Completion.Finish);
        Assert.False(rollout.Grade.Correct);
    }

    [Fact]
    public void Given_a_tool_that_throws_Then_the_episode_is_graded_with_the_error_and_the_run_goes_on()
    {
        var tool = new ScriptedTool(_ => throw new InvalidOperationException("the tool broke"));

        var rollouts = Episodes(tool, Greedy with { N = 2 });

        Assert.All(rollouts, r => Assert.Equal("InvalidOperationException: the tool broke", r.Grade.Error));
    }

    /// <summary>The problem's episodes with <paramref name="tool"/>; the tools' definitions are not rendered (the
    /// model learnt its call without them).</summary>
    IReadOnlyList<Rollout> Episodes(
        ITool tool,
        SamplingOptions sampling,
        MultiTurnOptions? turns = null,
        IProgress<int>? progress = null
    ) =>
        MultiTurnRollouts.Run(
            fixture.Model,
            new ExactTask(),
            new ToolEnvironment(new ExactTask(), [tool]),
            [Problem],
            sampling,
            turns ?? new() { DescribeTools = false },
            progress
        );

    sealed class ScriptedTool(Func<string, string> run) : ITool
    {
        public List<string> Calls { get; } = [];

        public string Name => "python";

        public JsonElement Definition { get; } =
            JsonDocument.Parse("""{"type": "function", "function": {"name": "python"}}""").RootElement.Clone();

        public string Invoke(string argumentsJson)
        {
            lock (Calls)
                Calls.Add(argumentsJson);
            return run(argumentsJson);
        }
    }

    /// <summary>Correct when the answer is the reference exactly.</summary>
    sealed class ExactTask : IReasoningTask
    {
        public string Name => "exact";

        public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) => [Problem];

        public string Prompt(Problem problem) => problem.Question;

        public Grade Grade(Problem problem, string answerText) =>
            new(answerText.Trim() == problem.Reference, answerText.Trim());
    }

    /// <summary>Sets the event when an episode finishes (called on the engine's thread).</summary>
    sealed class Counter(ManualResetEventSlim finished) : IProgress<int>
    {
        public void Report(int value) => finished.Set();
    }
}
