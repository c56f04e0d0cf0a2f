using Ponder.Generation;
using Ponder.Tasks;
using Ponder.Text;

namespace Ponder.Rollouts;

/// <summary>
/// task → prompt → sample → grade: renders each problem as a user turn with the thinking template, samples N
/// completions per problem in batches, and grades the text after <c>&lt;/think&gt;</c> with the task's one grader.
/// Evaluation, SFT's held-out checks and RL all get their graded samples here.
/// </summary>
public static class RolloutSampler
{
    public static IReadOnlyList<Rollout> Run(LanguageModel lm, IReasoningTask task, IReadOnlyList<Problem> problems, SamplingOptions options, IProgress<int>? progress = null)
    {
        var template = lm.Chat ?? throw new PonderException("the model's tokenizer lacks the ChatML thinking tokens (<|im_start|>, <|im_end|>, <think>, </think>) that reasoning tasks need.");
        var prompts = problems.Select(p => template.Render([new ChatMessage(ChatRole.User, task.Prompt(p))]).Ids).ToArray();
        var completions = lm.CreateSampler().Generate(prompts, options, progress);
        return completions.Select(c => Grade(task, problems[c.PromptIndex], c)).ToArray();
    }

    /// <summary>Splits and grades one completion of a prompt that opened the thinking section.</summary>
    public static Rollout Grade(IReasoningTask task, Problem problem, Completion completion)
    {
        var (reasoning, answer, closed) = ChatTemplate.SplitReasoning(completion.Text);
        int reasoningTokens = completion.ReasoningTokens;
        bool wellFormed = closed && completion.Finish == FinishReason.Stop && answer.Trim().Length > 0;
        Grade grade;
        try
        {
            grade = closed ? task.Grade(problem, answer) : Tasks.Grade.NoAnswer;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A grader that throws must not end a run: the sample counts as wrong, and the caller logs it.
            grade = new Grade(false, null) { Error = $"{e.GetType().Name}: {e.Message}" };
        }
        return new Rollout(problem, completion, reasoning, answer, grade, reasoningTokens, completion.TokenIds.Count - reasoningTokens, wellFormed);
    }
}
