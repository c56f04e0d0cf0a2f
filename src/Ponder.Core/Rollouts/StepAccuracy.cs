using Ponder.Tasks;
using Ponder.Text;

namespace Ponder.Rollouts;

/// <summary>How often the reasoning's own steps hold, for tasks that can check them by rule
/// (<see cref="IStepCheckedTask"/>): a diagnostic of the thinking, never a reward.</summary>
public static class StepAccuracy
{
    /// <summary>The share of right steps over all samples' steps (pooled, so long reasonings weigh more); null when
    /// the task has no step check or the samples wrote no step. A reasoning cut off by the token limit or a thinking
    /// budget loses its last line, which may be a step cut in half (<c>17*7=11</c> of <c>17*7=119</c>).</summary>
    public static double? Of(IReasoningTask task, IReadOnlyList<Rollout> rollouts)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        if (task is not IStepCheckedTask checker)
            return null;
        int steps = 0,
            correct = 0;
        foreach (var r in rollouts)
        {
            var check = checker.CheckSteps(r.Problem, Whole(r));
            steps += check.Steps;
            correct += check.Correct;
        }
        return steps == 0 ? null : (double)correct / steps;
    }

    static string Whole(Rollout r)
    {
        bool cut =
            r.Completion.BudgetCut || !r.Completion.Text.Contains(ChatTemplate.ThinkEnd, StringComparison.Ordinal);
        int last = r.Reasoning.LastIndexOf('\n');
        return !cut ? r.Reasoning
            : last < 0 ? ""
            : r.Reasoning[..last];
    }
}
