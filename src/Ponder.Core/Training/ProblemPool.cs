using Ponder.Tasks;

namespace Ponder.Training;

/// <summary>The training problems a run cycles through.</summary>
public static class ProblemPool
{
    /// <summary>Up to <paramref name="wanted"/> distinct training problems. A generated task whose settings allow fewer
    /// (small number ranges) gives every one it has (deterministic: the same settings always give the same pool).
    /// Another task that refuses a larger request is asked for half as many until it can fill it.</summary>
    public static IReadOnlyList<Problem> Train(IReasoningTask task, int wanted)
    {
        if (task is ITraceTask generated)
        {
            return generated.ProblemsUpTo(TaskSplit.Train, wanted) is { Count: > 0 } pool
                ? pool
                : throw new PonderException(
                    $"{task.Name}: the settings give no training problems; widen the number ranges."
                );
        }

        for (int size = wanted; ; size /= 2)
        {
            try
            {
                return task.Problems(TaskSplit.Train, size);
            }
            catch (PonderException) when (size > 16) { }
        }
    }
}
