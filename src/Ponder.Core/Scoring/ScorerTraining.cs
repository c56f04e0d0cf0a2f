using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Rollouts;
using Ponder.Tasks;

namespace Ponder.Scoring;

/// <summary>Which samples a scorer learns from.</summary>
/// <param name="Problems">Problems sampled (the last <see cref="HeldOutFraction"/> of them are held out). <value>The
/// default value is 64.</value></param>
/// <param name="SamplesPerProblem">Completions per problem. <value>The default value is 8.</value></param>
/// <param name="HeldOutFraction">Share of problems held out for AUC and calibration (at least one problem). <value>The
/// default value is 0.2.</value></param>
/// <param name="MaxNewTokens">Tokens per completion at most. <value>The default value is 512.</value></param>
/// <param name="MaxThinkingTokens">Thinking budget while sampling. <value>The default value is null
/// (none).</value></param>
/// <param name="Seed">Sampling seed. <value>The default value is 0.</value></param>
/// <param name="MixedProblemsOnly">Train only on problems whose samples are both correct and incorrect. On the others
/// the label is a property of the problem, and a scorer fitted to them learns problem difficulty: it ranks problems,
/// not the samples of one problem, which is what re-ranking needs (a high AUC with a re-ranking worse than the vote).
/// Held-out problems are all kept. <value>The default value is
/// true.</value></param>
public sealed record ScorerDataOptions(
    int Problems = 64,
    int SamplesPerProblem = 8,
    double HeldOutFraction = 0.2,
    int MaxNewTokens = 512,
    int? MaxThinkingTokens = null,
    long Seed = 0,
    bool MixedProblemsOnly = true
)
{
    public int HeldOutProblems => Math.Max(1, (int)Math.Round(Problems * HeldOutFraction));

    public ScorerDataOptions Validate()
    {
        if (Problems < 2)
            throw new PonderException($"--problems {Problems} must be at least 2 (some are held out).");
        if (SamplesPerProblem < 1)
            throw new PonderException($"--samples-per-problem {SamplesPerProblem} must be at least 1.");
        if (MaxNewTokens < 1)
            throw new PonderException($"--max-tokens {MaxNewTokens} must be at least 1.");
        if (MaxThinkingTokens < 0)
        {
            throw new PonderException(
                $"--max-thinking-tokens {MaxThinkingTokens} must be 0 (answer directly) or positive."
            );
        }

        if (!(HeldOutFraction > 0 && HeldOutFraction < 1))
            throw new PonderException($"held-out fraction {HeldOutFraction} must be in (0, 1).");
        if (HeldOutProblems >= Problems)
        {
            throw new PonderException(
                $"--problems {Problems} leaves nothing to train on after holding out {HeldOutProblems}."
            );
        }

        return this;
    }
}

/// <summary>
/// The scorer recipe (Cobbe et al. 2021): sample from the policy at temperature 1, label every completion with the
/// task's grader, train a scalar head on a copy of the policy (and the body too with ScorerOptions.TrainBody) to
/// predict the label, and measure it on held-out problems (AUC, Brier score, reliability / ECE).
/// </summary>
public static class ScorerTraining
{
    /// <summary>Labelled examples from graded rollouts (prompt + completion ids).</summary>
    public static IReadOnlyList<ScorerExample> Examples(IEnumerable<Rollout> rollouts, int maxLength) =>
        rollouts
            .Select(r =>
                ScorerBatch.Example(
                    r.Problem.Id,
                    r.Completion.PromptIds,
                    r.Completion.TokenIds,
                    r.Grade.Correct,
                    maxLength
                )
            )
            .ToArray();

    /// <summary>
    /// Samples from <paramref name="policy"/>, trains, evaluates. The policy becomes the scorer's body (it is taken
    /// over, and fine-tuned with ScorerOptions.TrainBody: load a fresh copy for it). <paramref name="log"/> receives
    /// progress lines. </summary>
    public static (ScorerModel Scorer, CalibrationReport HeldOut) Run(
        LanguageModel policy,
        string policyDir,
        IReasoningTask task,
        ScorerDataOptions data,
        ScorerOptions options,
        Action<string>? log = null,
        IProgress<int>? samplingProgress = null
    )
    {
        try
        {
            data.Validate();
            options.Validate();
            return Train(policy, policyDir, task, data, options, log, samplingProgress);
        }
        catch
        {
            policy.Dispose(); // taken over, so disposed on failure too
            throw;
        }
    }

    static (ScorerModel, CalibrationReport) Train(
        LanguageModel policy,
        string policyDir,
        IReasoningTask task,
        ScorerDataOptions data,
        ScorerOptions options,
        Action<string>? log,
        IProgress<int>? samplingProgress
    )
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (rollouts, heldOutIds) = Sample(policy, task, data, samplingProgress);
        int maxLength = Math.Min(options.MaxLength, policy.Config.MaxPositionEmbeddings);
        var all = Examples(rollouts, maxLength);
        var train = all.Where(e => !heldOutIds.Contains(e.ProblemId)).ToArray();
        var heldOut = all.Where(e => heldOutIds.Contains(e.ProblemId)).ToArray();
        int sampled = train.Length;
        if (data.MixedProblemsOnly)
        {
            train = train
                .GroupBy(e => e.ProblemId, StringComparer.Ordinal)
                .Where(g => g.Any(e => e.Correct) && g.Any(e => !e.Correct))
                .SelectMany(g => g)
                .ToArray();
        }

        log?.Invoke(
            $"sampled {all.Count} completions in {clock.Elapsed.TotalSeconds:F0} s: {train.Length} to train "
                + $"on ({Rate(train)} correct"
                + (data.MixedProblemsOnly ? $"; {sampled - train.Length} from problems with one label left out" : "")
                + $"), {heldOut.Length} held out ({Rate(heldOut)} correct)"
        );
        CheckLabels(train, data, log);
        var scorer = ScorerModel.FromPolicy(policy, ScorerInfo.For(policy, policyDir, maxLength, task.Name));
        Fit(scorer, train, options, log, clock);
        var report = Evaluate(scorer, heldOut);
        scorer.Info = scorer.Info with { Metrics = Metrics(report, train.Length, heldOut.Length) };
        return (scorer, report);
    }

    /// <summary>What both scorers learn from: <see cref="ScorerDataOptions.SamplesPerProblem"/> completions of each
    /// training-split problem at temperature 1, graded, and the ids of the last problems, held out.</summary>
    internal static (IReadOnlyList<Rollout> Rollouts, HashSet<string> HeldOut) Sample(
        LanguageModel policy,
        IReasoningTask task,
        ScorerDataOptions data,
        IProgress<int>? samplingProgress
    )
    {
        var problems = task.Problems(TaskSplit.Train, data.Problems);
        if (problems.Count < 2)
        {
            throw new PonderException(
                $"--task {task.Name} has only {problems.Count} problem(s); the scorer needs at least 2."
            );
        }

        int heldOutCount = Math.Min(data.HeldOutProblems, problems.Count - 1);
        var sampling = new SamplingOptions
        {
            Temperature = 1.0,
            N = data.SamplesPerProblem,
            MaxNewTokens = data.MaxNewTokens,
            MaxThinkingTokens = data.MaxThinkingTokens,
            Seed = data.Seed,
        }.Validate();
        var rollouts = LocalRollouts.Run(policy, task, problems, sampling, samplingProgress);
        return (
            rollouts,
            problems.Skip(problems.Count - heldOutCount).Select(p => p.Id).ToHashSet(StringComparer.Ordinal)
        );
    }

    /// <summary>Refuses an empty training set and warns when every sample has one label.</summary>
    static void CheckLabels(ScorerExample[] train, ScorerDataOptions data, Action<string>? log)
    {
        if (train.Length == 0)
        {
            throw new PonderException(
                data.MixedProblemsOnly
                    ? "no training problem had both correct and incorrect samples; raise --problems or "
                        + "--samples-per-problem, or pass --all-problems."
                    : "no training samples were drawn; raise --problems or --samples-per-problem."
            );
        }

        if (train.All(e => e.Correct) || train.All(e => !e.Correct))
        {
            log?.Invoke(
                "warning: every training sample has the same label; the scorer can only learn the base rate "
                    + "(sample more, or from a stronger policy)"
            );
        }
    }

    static void Fit(
        ScorerModel scorer,
        ScorerExample[] train,
        ScorerOptions options,
        Action<string>? log,
        System.Diagnostics.Stopwatch clock
    )
    {
        using var trainer = new ScorerTrainer(scorer, train, options);
        for (int s = 0; s < options.Steps; s++)
        {
            double loss = trainer.Step();
            if ((s + 1) % Math.Max(1, options.Steps / 10) == 0 || s == options.Steps - 1)
                log?.Invoke($"step {s + 1}/{options.Steps}: loss {loss:F4} ({clock.Elapsed.TotalSeconds:F0} s)");
        }
    }

    /// <summary>Scores <paramref name="examples"/> and compares the scores with their labels.</summary>
    public static CalibrationReport Evaluate(ScorerModel scorer, IReadOnlyList<ScorerExample> examples)
    {
        var scores = scorer.Score(examples);
        var labels = examples.Select(e => e.Correct).ToArray();
        return Calibration.Report(scores, labels) with
        {
            WithinProblemAuc = Calibration.WithinGroupAuc(scores, labels, examples.Select(e => e.ProblemId).ToArray()),
        };
    }

    static Dictionary<string, double> Metrics(CalibrationReport r, int train, int heldOut)
    {
        var m = new Dictionary<string, double>
        {
            ["heldout_brier"] = r.Brier,
            ["heldout_ece"] = r.Ece,
            ["heldout_examples"] = heldOut,
            ["heldout_positive_rate"] = heldOut == 0 ? 0 : (double)r.Positives / heldOut,
            ["train_examples"] = train,
        };
        if (r.Auc is double auc)
            m["heldout_auc"] = auc;
        if (r.WithinProblemAuc is double within)
            m["heldout_auc_within_problem"] = within;
        return m;
    }

    static string Rate(IReadOnlyList<ScorerExample> examples) =>
        examples.Count == 0
            ? "–"
            : ((double)examples.Count(e => e.Correct) / examples.Count).ToString(
                "P0",
                System.Globalization.CultureInfo.InvariantCulture
            );
}
