using System.Text.Json;
using Ponder.Algorithms;
using Ponder.Environments;
using Ponder.Reinforcement;
using Ponder.Rollouts;
using Ponder.Tasks;
using Ponder.Tests.Rollouts;

namespace Ponder.Tests.Reinforcement;

/// <summary>RL on multi-turn rollouts: the step samples episodes with the tool, trains on the model's tokens and
/// evaluates with the tool too.</summary>
public sealed class MultiTurnRlTests(ToolCallerFixture fixture) : IClassFixture<ToolCallerFixture>
{
    static readonly Problem Problem = new("p", ToolCallerFixture.Question, "42", new Dictionary<string, string>());

    [Fact]
    public void Given_tools_Then_an_rl_step_samples_episodes_with_calls_and_updates_on_them()
    {
        var tool = new CountingTool();
        var task = new OneProblemTask();
        var tools = new ToolUse(new ToolEnvironment(task, [tool]), new MultiTurnOptions { DescribeTools = false });
        var options = RlTrainerTests.Small() with
        {
            Steps = 1,
            PromptsPerStep = 1,
            GroupSize = 2,
            MaxCompletionTokens = 200,
            Temperature = 0.7,
            Policy = new PolicyOptions { Beta = 0.05 },
            TrainProblems = 1,
        };
        using var trainer = new RlTrainer(fixture.Model, task, options, tools: tools);

        var step = trainer.Step();

        Assert.Contains(step.Rollouts, r => r.Turns == 2 && r.ToolCalls == 1);
        Assert.True(tool.Calls > 0);
        Assert.True(double.IsFinite(step.Metrics["loss/policy"]) && double.IsFinite(step.Metrics["loss/kl"]));
        var evaluated = trainer.Evaluate([Problem]);
        Assert.Contains(evaluated, r => r.Turns == 2);
    }

    [Fact]
    public void Given_tools_and_a_fleet_Then_the_trainer_refuses_naming_the_flags()
    {
        var task = new OneProblemTask();
        var tools = new ToolUse(new ToolEnvironment(task, [new CountingTool()]), new MultiTurnOptions());

        var e = Assert.Throws<PonderException>(() =>
            new RlTrainer(fixture.Model, task, RlTrainerTests.Small(), new NoFleet(), tools: tools)
        );

        Assert.Contains("--rollout-endpoints", e.Message);
    }

    sealed class CountingTool : ITool
    {
        int calls;

        public int Calls => calls;

        public string Name => "python";

        public JsonElement Definition { get; } =
            JsonDocument.Parse("""{"type": "function", "function": {"name": "python"}}""").RootElement.Clone();

        public string Invoke(string argumentsJson)
        {
            Interlocked.Increment(ref calls);
            return "42";
        }
    }

    sealed class OneProblemTask : ITraceTask
    {
        public string Name => "one";

        public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) => [Problem];

        public IReadOnlyList<Problem> ProblemsUpTo(TaskSplit split, int count) => [Problem];

        public IReadOnlyList<Problem> Draws(TaskSplit split, int count) => [.. Enumerable.Repeat(Problem, count)];

        public string Prompt(Problem problem) => problem.Question;

        public Grade Grade(Problem problem, string answerText) =>
            new(answerText.Trim() == problem.Reference, answerText.Trim());

        public (string Reasoning, string Answer)? Trace(Problem problem, Random rng) => null;
    }

    sealed class NoFleet : IRolloutFleet
    {
        public IReadOnlyList<Ponder.Generation.Completion> Generate(
            IReadOnlyList<IReadOnlyList<int>> prompts,
            Ponder.Generation.SamplingOptions options
        ) => throw new InvalidOperationException("not used");

        public void Sync(Ponder.LanguageModels.LanguageModel policy, int version) { }

        public IReadOnlyDictionary<string, double> TakeMetrics() => new Dictionary<string, double>();

        public void Dispose() { }
    }
}
