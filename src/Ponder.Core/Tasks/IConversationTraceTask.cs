using Ponder.Text;

namespace Ponder.Tasks;

/// <summary>A trace task whose reference for some settings is a whole conversation rather than one reasoning and
/// answer: e.g. a turn that calls a tool, the tool's result, and the turn that answers from it. SFT trains on the
/// conversation when there is one (only the assistant turns are learned; the tool's result is the environment's).
/// </summary>
public interface IConversationTraceTask : ITraceTask
{
    /// <summary>The reference conversation for <paramref name="problem"/>, starting with the user's prompt
    /// (<see cref="IReasoningTask.Prompt"/>); null when the task's settings make none, so the single-turn
    /// <see cref="ITraceTask.Trace"/> is the reference. <paramref name="rng"/> supplies any randomness.</summary>
    IReadOnlyList<ChatMessage>? Conversation(Problem problem, Random rng);
}
