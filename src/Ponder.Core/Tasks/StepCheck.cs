using Ponder.Rollouts;

namespace Ponder.Tasks;

/// <summary>A task whose reasoning steps can each be checked by a rule, apart from the final answer (countdown:
/// every <c>a op b=c</c> line). A diagnostic for evaluation — how often the thinking itself is right — never a reward:
/// the task's one grader stays the reward, the evaluation and the vote.</summary>
public interface IStepCheckedTask
{
    /// <summary>The steps found in <paramref name="reasoning"/> and how many of them hold.</summary>
    StepCheck CheckSteps(Problem problem, string reasoning);
}

/// <summary>Steps a reasoning holds and how many of them are right.</summary>
public readonly record struct StepCheck(int Steps, int Correct)
{
    /// <summary>The share of right steps over all samples' steps (pooled, so long reasonings weigh more); null when
    /// the task has no step check or the samples wrote no step. A reasoning cut off by the token limit or a thinking
    /// budget loses its last line, which may be a step cut in half (<c>17*7=11</c> of <c>17*7=119</c>).</summary>
    public static double? Accuracy(IReasoningTask task, IReadOnlyList<Rollout> rollouts)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        if (task is not IStepCheckedTask checker) return null;
        int steps = 0, correct = 0;
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
        bool cut = r.Completion.BudgetCut || !r.Completion.Text.Contains(Text.ChatTemplate.ThinkEnd, StringComparison.Ordinal);
        int last = r.Reasoning.LastIndexOf('\n');
        return !cut ? r.Reasoning : last < 0 ? "" : r.Reasoning[..last];
    }
}
