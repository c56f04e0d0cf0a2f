using Ponder.Evaluation;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Rollouts;
using Ponder.Tasks;

namespace Ponder.Cli.Sessions;

/// <summary>Held-out evaluation during training: graded samples of test problems and their headline numbers.</summary>
static class HeldOut
{
    /// <summary>Dataset tasks read one file and have no train/test split: say so before training on them, since
    /// the held-out numbers then come from the training problems.</summary>
    public static void WarnIfNoSplit(CliOutput io, IReasoningTask task)
    {
        if (task is Tasks.Datasets.IDatasetTask)
        {
            io.Error.WriteLine(
                $"warning: --task {task.Name} reads one file with no train/test split; the \"held-out\" "
                    + "evaluation uses the same problems as training."
            );
        }
    }

    /// <summary>Up to <paramref name="count"/> held-out problems: a generated task whose settings have fewer gives
    /// every one it has.</summary>
    public static IReadOnlyList<Problem> Problems(IReasoningTask task, int count) =>
        task is ITraceTask generated
            ? generated.ProblemsUpTo(TaskSplit.Test, count)
            : task.Problems(TaskSplit.Test, count);

    /// <summary>Samples and measures the held-out problems: one turn each, or, with <paramref name="tools"/>, episodes
    /// in its environment (the task's prompt, the tools' results between turns).</summary>
    public static (Dictionary<string, double> Metrics, IReadOnlyList<Rollout> Rollouts) Evaluate(
        LanguageModel lm,
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        SamplingOptions options,
        string prefix = "eval/",
        ToolSession? tools = null
    )
    {
        var rollouts = tools is null
            ? LocalRollouts.Run(lm, task, problems, options)
            : MultiTurnRollouts.Run(lm, task, tools.Environment, problems, options, tools.Turns);
        var metrics = Measure(task, rollouts, options.N, prefix);
        if (tools is not null)
        {
            foreach (var (k, v) in ToolStats(rollouts, prefix))
                metrics[k] = v;
        }
        return (metrics, rollouts);
    }

    /// <summary>What multi-turn samples add: the mean model turns and the tool-call rate (the share of samples that
    /// called a tool at least once).</summary>
    public static Dictionary<string, double> ToolStats(IReadOnlyList<Rollout> rollouts, string prefix) =>
        new()
        {
            [prefix + "turns"] = rollouts.Average(x => x.Turns),
            [prefix + "tool_call_rate"] = rollouts.Average(x => x.ToolCalls > 0 ? 1.0 : 0.0),
        };

    /// <summary>The bounds of pass@1's 95 % interval (<see cref="ConfidenceInterval"/>), named without "@" so that
    /// tables listing the metrics@k leave them out.</summary>
    public const string PassAt1Low = "pass1_ci95_low",
        PassAt1High = "pass1_ci95_high";

    /// <summary>The headline numbers of graded samples, <paramref name="samples"/> a problem: pass@k and cons@k at the
    /// default ks, pass@1's 95 % interval, then <see cref="Stats"/>; every key starts with
    /// <paramref name="prefix"/>.</summary>
    public static Dictionary<string, double> Measure(
        IReasoningTask task,
        IReadOnlyList<Rollout> rollouts,
        int samples,
        string prefix
    )
    {
        var graded = rollouts
            .Select(x => new GradedSample(
                x.Problem.Id,
                x.Completion.SampleIndex,
                x.Grade.Canonical,
                x.Grade.Correct,
                null
            ))
            .ToList();
        var report = Metrics.Compute(graded, Metrics.DefaultKs(samples));
        var metrics = report.Named().ToDictionary(kv => prefix + kv.Key, kv => kv.Value);
        var (low, high) = ConfidenceInterval.OfPassAt1(graded.Select(g => (g.ProblemId, g.Correct)));
        metrics[prefix + PassAt1Low] = low;
        metrics[prefix + PassAt1High] = high;
        foreach (var (k, v) in Stats(task, rollouts, prefix))
            metrics[k] = v;
        return metrics;
    }

    /// <summary>What every evaluation reports beside the accuracy metrics: format rate, mean reasoning and answer
    /// tokens, and the step accuracy for tasks with a step check.</summary>
    public static Dictionary<string, double> Stats(IReasoningTask task, IReadOnlyList<Rollout> rollouts, string prefix)
    {
        var stats = new Dictionary<string, double>
        {
            [prefix + "format_rate"] = rollouts.Average(x => x.WellFormed ? 1.0 : 0.0),
            [prefix + "reasoning_tokens"] = rollouts.Average(x => x.ReasoningTokens),
            [prefix + "answer_tokens"] = rollouts.Average(x => x.AnswerTokens),
        };
        if (StepAccuracy.Of(task, rollouts) is { } steps)
            stats[prefix + "step_accuracy"] = steps;
        return stats;
    }
}
