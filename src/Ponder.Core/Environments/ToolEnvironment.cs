using System.Text.Json;
using Ponder.Tasks;
using Ponder.Text;

namespace Ponder.Environments;

/// <summary>
/// A task's problems with tools: the episode starts with the problem as the user's message, runs each call the model
/// makes and returns the results as tool messages, and ends at the first turn without a call (or the last turn the
/// rollout allows), graded by the task's one grader.
/// </summary>
public sealed class ToolEnvironment : IEnvironment
{
    readonly IReasoningTask task;
    readonly Dictionary<string, ITool> tools;

    public ToolEnvironment(IReasoningTask task, IEnumerable<ITool> tools)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(tools);
        this.task = task;
        this.tools = tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        if (this.tools.Count == 0)
            throw new PonderException("a tool environment needs at least one tool.");
        Tools = [.. this.tools.Values.Select(t => t.Definition)];
    }

    public IReadOnlyList<JsonElement> Tools { get; }

    public IEpisode Reset(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new Episode(this, problem);
    }

    /// <summary>The result of one call: the tool's, or an error the model can read.</summary>
    public string Run(ToolCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return tools.TryGetValue(call.Name, out var tool)
            ? tool.Invoke(call.ArgumentsJson)
            : $"error: no tool named \"{call.Name}\"; the tools are {string.Join(", ", tools.Keys)}";
    }

    sealed class Episode(ToolEnvironment environment, Problem problem) : IEpisode
    {
        int calls;

        public IReadOnlyList<ChatMessage> Observation { get; } =
        [new ChatMessage(ChatRole.User, environment.task.Prompt(problem))];

        public EnvironmentStep Act(ModelTurn turn, bool lastTurn)
        {
            ArgumentNullException.ThrowIfNull(turn);
            if (turn.Calls.Count == 0 || lastTurn)
            {
                var grade = GradeAnswer(turn.Answer);
                return new EnvironmentStep([], grade.Score ?? (grade.Correct ? 1 : 0), Done: true, grade);
            }
            var results = turn
                .Calls.Select(c => new ChatMessage(ChatRole.Tool, environment.Run(c), ToolCallId: $"call_{calls++}"))
                .ToList();
            return new EnvironmentStep(results, 0, Done: false);
        }

        Grade GradeAnswer(string answer)
        {
            try
            {
                return environment.task.Grade(problem, answer);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return new Grade(false, null) { Error = $"{e.GetType().Name}: {e.Message}" };
            }
        }
    }
}
