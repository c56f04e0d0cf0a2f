using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Rollouts;
using Ponder.Tasks;

namespace Ponder.Scoring;

/// <summary>What a process scorer learns from, beyond the sampled completions (<see cref="ScorerDataOptions"/>).
/// </summary>
/// <param name="Separator">What ends a step (<see cref="ReasoningSteps"/>).</param>
/// <param name="Labels">The Monte-Carlo continuations.</param>
/// <param name="HardLabels">Train on Math-Shepherd's hard labels (some continuation reached a correct answer)
/// instead of the soft share. <value>The default value is false.</value></param>
/// <param name="Aggregation">The solution score written into scorer.json as the default. <value>The default value is
/// <see cref="StepAggregation.Last"/>.</value></param>
public sealed record ProcessDataOptions(
    string Separator,
    ProcessLabelOptions Labels,
    bool HardLabels = false,
    StepAggregation Aggregation = StepAggregation.Last
);

/// <summary>
/// The process scorer recipe (Math-Shepherd, Wang et al. 2024): sample completions from the policy at temperature 1,
/// label every step prefix by continuing it (<see cref="ProcessLabels"/>), train a scalar head on a copy of the policy
/// to predict each step's label at the step's last token, and measure it on held-out problems
/// (<see cref="ProcessReport"/>: step AUC, first-error F1, agreement with the task's rule check).
/// </summary>
public static class ProcessTraining
{
    /// <summary>Samples, labels, trains, evaluates. The policy becomes the scorer's body (taken over).</summary>
    public static (ScorerModel Scorer, ProcessReport HeldOut) Run(
        LanguageModel policy,
        string policyDir,
        IReasoningTask task,
        ScorerDataOptions data,
        ProcessDataOptions process,
        ScorerOptions options,
        Action<string>? log = null,
        IProgress<int>? samplingProgress = null
    )
    {
        try
        {
            data.Validate();
            options.Validate();
            process.Labels.Validate();
            return Train(policy, policyDir, task, data, process, options, log, samplingProgress);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    static (ScorerModel, ProcessReport) Train(
        LanguageModel policy,
        string policyDir,
        IReasoningTask task,
        ScorerDataOptions data,
        ProcessDataOptions process,
        ScorerOptions options,
        Action<string>? log,
        IProgress<int>? samplingProgress
    )
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (rollouts, heldOutIds) = ScorerTraining.Sample(policy, task, data, samplingProgress);
        int maxLength = Math.Min(options.MaxLength, policy.Config.MaxPositionEmbeddings);
        var examples = ProcessLabels.Label(policy, task, rollouts, process.Separator, process.Labels, maxLength);
        var train = examples.Where(e => !heldOutIds.Contains(e.ProblemId) && e.StepEnds.Length > 0).ToArray();
        var heldOut = examples.Where(e => heldOutIds.Contains(e.ProblemId) && e.StepEnds.Length > 0).ToArray();
        int steps = train.Sum(e => e.StepEnds.Length);
        log?.Invoke(
            $"labelled {examples.Count} completions ({examples.Sum(e => e.StepEnds.Length)} steps, "
                + $"{process.Labels.RolloutsPerStep} continuations each) in {clock.Elapsed.TotalSeconds:F0} s: "
                + $"{train.Length} to train on ({steps} steps, "
                + $"{Share(train.SelectMany(e => e.Soft.Select((_, k) => e.Hard(k))))} can still reach a correct "
                + $"answer), {heldOut.Length} held out"
        );
        if (train.Length == 0)
            throw new PonderException("no training completion has a step; raise --problems or --samples-per-problem.");
        var info = ScorerInfo.For(policy, policyDir, maxLength, task.Name) with
        {
            Kind = ProcessScorer.Kind,
            StepSeparator = process.Separator,
            Aggregation = StepAggregations.Name(process.Aggregation),
        };
        var scorer = ScorerModel.FromPolicy(policy, info);
        Fit(scorer, train, options, process.HardLabels, log, clock);
        var report = Evaluate(scorer, heldOut);
        var metrics = report.Metrics().ToDictionary();
        metrics["train_examples"] = train.Length;
        metrics["train_steps"] = steps;
        scorer.Info = scorer.Info with { Metrics = metrics };
        return (scorer, report);
    }

    static void Fit(
        ScorerModel scorer,
        ProcessExample[] train,
        ScorerOptions options,
        bool hardLabels,
        Action<string>? log,
        System.Diagnostics.Stopwatch clock
    )
    {
        using var trainer = new ProcessTrainer(scorer, train, options, hardLabels);
        for (int s = 0; s < options.Steps; s++)
        {
            double loss = trainer.Step();
            if ((s + 1) % Math.Max(1, options.Steps / 10) == 0 || s == options.Steps - 1)
                log?.Invoke($"step {s + 1}/{options.Steps}: loss {loss:F4} ({clock.Elapsed.TotalSeconds:F0} s)");
        }
    }

    /// <summary>Scores the examples' steps and compares them with their labels.</summary>
    public static ProcessReport Evaluate(ScorerModel scorer, IReadOnlyList<ProcessExample> examples)
    {
        var scores = ProcessScorer.StepScores(
            scorer,
            [.. examples.Select(e => (e.Ids, e.CompletionStart, e.StepEnds))]
        );
        return ProcessReport.Of(examples, scores);
    }

    static string Share(IEnumerable<bool> labels)
    {
        var all = labels.ToArray();
        return all.Length == 0
            ? "–"
            : ((double)all.Count(l => l) / all.Length).ToString(
                "P0",
                System.Globalization.CultureInfo.InvariantCulture
            );
    }
}
