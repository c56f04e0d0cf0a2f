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
    /// the task has no step check or the samples wrote no step.</summary>
    public static double? Accuracy(IReasoningTask task, IReadOnlyList<Rollout> rollouts)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        if (task is not IStepCheckedTask checker) return null;
        int steps = 0, correct = 0;
        foreach (var r in rollouts)
        {
            var check = checker.CheckSteps(r.Problem, r.Reasoning);
            steps += check.Steps;
            correct += check.Correct;
        }
        return steps == 0 ? null : (double)correct / steps;
    }
}
