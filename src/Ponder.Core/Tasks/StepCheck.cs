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
public readonly record struct StepCheck(int Steps, int Correct);
