using Ponder.Tasks;

namespace Ponder.Training;

/// <summary>The training problems a run cycles through.</summary>
public static class ProblemPool
{
    /// <summary>Up to <paramref name="wanted"/> distinct training problems. A generated task whose settings allow fewer
    /// (small number ranges) refuses a larger request; the pool then halves until the task can fill it, so narrow
    /// settings train on every problem they have (deterministic: the same settings always give the same pool).</summary>
    public static IReadOnlyList<Problem> Train(IReasoningTask task, int wanted)
    {
        for (int size = wanted; ; size /= 2)
        {
            try
            {
                return task.Problems(TaskSplit.Train, size);
            }
            catch (PonderException) when (size > 16)
            {
            }
        }
    }
}
