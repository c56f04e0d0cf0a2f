using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Tasks;
using Ponder.Text;

namespace Ponder.Rollouts;

/// <summary>
/// task → prompt → sample → grade: renders each problem as a user turn with the thinking template, samples N
/// completions per problem in batches, and grades the text after <c>&lt;/think&gt;</c> with the task's one grader.
/// Evaluation, SFT's held-out checks and RL all get their graded samples here.
/// </summary>
public static class LocalRollouts
{
    public static IReadOnlyList<Rollout> Run(
        LanguageModel lm,
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        SamplingOptions options,
        IProgress<int>? progress = null
    )
    {
        var template =
            lm.Chat
            ?? throw new PonderException(
                "the model's tokenizer lacks the ChatML thinking tokens (<|im_start|>, <|im_end|>, <think>, "
                    + "</think>) that reasoning tasks need."
            );
        var prompts = problems
            .Select(p => template.Render([new ChatMessage(ChatRole.User, task.Prompt(p))]).Ids)
            .ToArray();
        var completions = lm.CreateGenerator().Generate(prompts, options, progress);
        return GradeAll(task, completions, i => problems[completions[i].PromptIndex]);
    }

    /// <summary>As the single-turn <c>Run</c>, or episodes with tools (<see cref="MultiTurnRollouts"/>) when <paramref
    /// name="tools"/> is given.</summary>
    public static IReadOnlyList<Rollout> Run(
        LanguageModel lm,
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        SamplingOptions options,
        ToolUse? tools,
        IProgress<int>? progress = null
    ) =>
        tools is null
            ? Run(lm, task, problems, options, progress)
            : MultiTurnRollouts.Run(lm, task, tools.Environment, problems, options, tools.Turns, progress);

    /// <summary>
    /// Grades <paramref name="completions"/> in order, completion i against <paramref name="problemOf"/>(i). Where the
    /// task's grading waits on other processes (<see cref="IReasoningTask.GradingWorkers"/> &gt; 1: code run in a
    /// sandbox) they are graded in parallel on the thread pool, so the caller's tensor thread only waits and no grader
    /// shares its thread-static scopes.
    /// </summary>
    public static Rollout[] GradeAll(
        IReasoningTask task,
        IReadOnlyList<Completion> completions,
        Func<int, Problem> problemOf
    )
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(completions);
        ArgumentNullException.ThrowIfNull(problemOf);
        var rollouts = new Rollout[completions.Count];
        void GradeOne(int i) => rollouts[i] = Grade(task, problemOf(i), completions[i]);
        if (task.GradingWorkers <= 1)
        {
            for (int i = 0; i < rollouts.Length; i++)
                GradeOne(i);
            return rollouts;
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = task.GradingWorkers };
        // A thread of its own: a task on the pool could be run inline by the waiting caller.
        Task.Factory.StartNew(
                () => Parallel.For(0, rollouts.Length, parallel, GradeOne),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default
            )
            .GetAwaiter()
            .GetResult();
        return rollouts;
    }

    /// <summary>Splits and grades one completion of a prompt that opened the thinking section.</summary>
    public static Rollout Grade(IReasoningTask task, Problem problem, Completion completion)
    {
        var (reasoning, answer, closed) = ChatTemplate.SplitReasoning(completion.Text);
        int reasoningTokens = completion.ReasoningTokens;
        bool wellFormed = closed && completion.Finish == FinishReason.Stop && answer.Trim().Length > 0;
        var grade = closed ? SafeGrade(task, problem, answer) : Tasks.Grade.NoAnswer;
        return new Rollout(
            problem,
            completion,
            reasoning,
            answer,
            grade,
            reasoningTokens,
            completion.TokenIds.Count - reasoningTokens,
            wellFormed
        );
    }

    /// <summary>The task's grade of an answer; a grader that throws must not end a run: the sample counts as wrong
    /// and the error is kept on the grade for the caller to log.</summary>
    public static Grade SafeGrade(IReasoningTask task, Problem problem, string answer)
    {
        try
        {
            return task.Grade(problem, answer);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new Grade(false, null) { Error = $"{e.GetType().Name}: {e.Message}" };
        }
    }
}
