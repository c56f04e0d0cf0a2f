namespace Ponder.Tasks;

/// <summary>Which problems: generated tasks keep train and test disjoint; dataset tasks read one file.</summary>
public enum TaskSplit
{
    Train,
    Test,
}

/// <summary>
/// A source of verifiable problems with ONE grader. The RL reward, evaluation and majority voting all call
/// <see cref="Grade"/>, so "correct" can never mean different things in different places.
/// </summary>
public interface IReasoningTask
{
    /// <summary>The name users pass to <c>--task</c>.</summary>
    string Name { get; }

    /// <summary>Problems of a split, in a fixed order (deterministic from the task's seed for generated tasks).
    /// <paramref name="count"/> null means all a dataset has; generated tasks require a count.</summary>
    IReadOnlyList<Problem> Problems(TaskSplit split, int? count);

    /// <summary>The user message for a problem: the instruction and the problem, including how to state the
    /// answer.</summary>
    string Prompt(Problem problem);

    /// <summary>Extracts the answer from <paramref name="answerText"/> (what follows the reasoning, i.e. the text after
    /// <c>&lt;/think&gt;</c>, or an API response's content) and grades it against the problem.</summary>
    Grade Grade(Problem problem, string answerText);

    /// <summary>What ends a reasoning step (<see cref="ReasoningSteps"/>): blank lines unless the task writes one step
    /// per line; <c>--steps-by</c> overrides it where a user's data differs.</summary>
    string StepSeparator => ReasoningSteps.Paragraphs;

    /// <summary>How many answers may be graded at once (rollouts grade a batch in parallel up to it, off
    /// the tensor thread): 1 for graders that only compute, more where grading waits on a process (code).
    /// </summary>
    int GradingWorkers => 1;
}

/// <summary>A generated task that can also write a reference reasoning trace and answer for supervised
/// fine-tuning.</summary>
public interface ITraceTask : IReasoningTask
{
    /// <summary>A reasoning trace (what goes between <c>&lt;think&gt;</c> and <c>&lt;/think&gt;</c>) and the final
    /// answer text for <paramref name="problem"/>. <paramref name="rng"/> supplies any randomness (e.g. search order).
    /// Null when the task's settings give this problem no trace (countdown with <c>guided=false</c>: a search that
    /// does not reach the target within the line limit); SFT then takes another problem.</summary>
    (string Reasoning, string Answer)? Trace(Problem problem, Random rng);

    /// <summary>
    /// <paramref name="count"/> problems of <paramref name="split"/> as the generator draws them, repeats included, so
    /// each kind of problem comes as often as the task's distribution makes it. <see cref="IReasoningTask.Problems"/>
    /// lists distinct problems, which under-represents small problem spaces: with operands of 1–2 digits drawn
    /// uniformly, a quarter of draws are one-digit pairs, but they are only ~190 of the 18,217 distinct training
    /// problems (1 %), so a model trained on distinct problems makes its errors disproportionately on them.
    /// Deterministic from the task's seed.
    /// </summary>
    IReadOnlyList<Problem> Draws(TaskSplit split, int count);

    /// <summary>The first <paramref name="count"/> distinct problems of <paramref name="split"/> (as
    /// <see cref="IReasoningTask.Problems"/> lists them), or every one the task's settings have when that is fewer —
    /// where <see cref="IReasoningTask.Problems"/> refuses. Deterministic from the task's seed.</summary>
    IReadOnlyList<Problem> ProblemsUpTo(TaskSplit split, int count);
}
