using System.Text.Json;
using Ponder.Tasks;
using Ponder.Text;

namespace Ponder.Environments;

/// <summary> Where a multi-turn rollout acts: <see cref="Reset"/> starts an episode for a problem, and each of the
/// model's turns is a step, <see cref="IEpisode.Act"/>, that returns what the model sees next (tool results), a reward
/// and whether the episode is over — the gym-style interface of verl's and TRL's multi-turn rollouts. The rollout
/// appends the observation's tokens to the model's and generates on; those tokens are the environment's, never trained
/// on. </summary>
public interface IEnvironment
{
    /// <summary>The tools the model may call, as OpenAI function definitions
    /// (<c>{"type": "function", "function": {"name", "description", "parameters"}}</c>).</summary>
    IReadOnlyList<JsonElement> Tools { get; }

    /// <summary>Starts an episode for <paramref name="problem"/>; its <see cref="IEpisode.Observation"/> is the
    /// conversation to prompt with.</summary>
    IEpisode Reset(Problem problem);
}

/// <summary>One episode of an <see cref="IEnvironment"/>. Steps of different episodes may run at once on different
/// threads; one episode's steps come one at a time.</summary>
public interface IEpisode
{
    /// <summary>The first observation: the messages the model answers (the user's problem).</summary>
    IReadOnlyList<ChatMessage> Observation { get; }

    /// <summary>The model's turn: what it answered (after its reasoning) and the calls read out of that answer.
    /// <paramref name="lastTurn"/> is set when the rollout's turn limit allows no further turn: the episode ends
    /// whatever the answer holds.</summary>
    EnvironmentStep Act(ModelTurn turn, bool lastTurn);
}

/// <summary>What the model did in one turn.</summary>
/// <param name="Answer">Its answer text (calls included, reasoning not).</param>
/// <param name="Calls">The calls read out of the answer in the model's format; empty when it made none.</param>
public sealed record ModelTurn(string Answer, IReadOnlyList<ToolCall> Calls);

/// <summary>The environment's reply to a turn.</summary>
/// <param name="Observation">Messages the model sees next (one tool message per call); empty when done.</param>
/// <param name="Reward">The turn's reward (the task's grade of the final answer when done, else 0).</param>
/// <param name="Done">The episode is over.</param>
/// <param name="Grade">When done, the task's grade of the final answer (its one grader).</param>
public sealed record EnvironmentStep(
    IReadOnlyList<ChatMessage> Observation,
    double Reward,
    bool Done,
    Grade? Grade = null
);
