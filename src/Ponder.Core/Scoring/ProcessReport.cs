namespace Ponder.Scoring;

/// <summary>
/// How well a process scorer's step scores match held-out labels.
/// </summary>
/// <param name="Steps">Held-out steps scored.</param>
/// <param name="StepAuc">AUC of step scores against the hard Monte-Carlo labels (null when one class is
/// missing).</param>
/// <param name="FirstErrorF1">ProcessBench's F1: the harmonic mean of the accuracy on solutions with an error (the
/// first step scored below ½ is the first step no continuation could save) and on solutions without one (no step
/// scored below ½).</param>
/// <param name="ErrorAccuracy">The first of the two accuracies (null when no solution has an error).</param>
/// <param name="CorrectAccuracy">The second (null when every solution has an error).</param>
/// <param name="RuleSteps">Held-out steps the task's rule could check (countdown's <c>a op b=c</c>).</param>
/// <param name="RuleAgreement">Share of those where "score ≥ ½" equals the rule's verdict (null without
/// any).</param>
/// <param name="RuleAuc">AUC of the step scores against the rule's verdicts.</param>
/// <param name="LabelRuleAgreement">Share of those where the hard Monte-Carlo label equals the rule's verdict: how
/// well the automatic labels themselves track the rule.</param>
/// <param name="WithinProblemAuc">Over pairs of solutions of the same problem, one right and one wrong: how often
/// the right one's last-step score is higher (ties ½) — what re-ranking and search need (null without such
/// pairs).</param>
public sealed record ProcessReport(
    int Solutions,
    int Steps,
    double? StepAuc,
    double? FirstErrorF1,
    double? ErrorAccuracy,
    double? CorrectAccuracy,
    int RuleSteps,
    double? RuleAgreement,
    double? RuleAuc,
    double? LabelRuleAgreement,
    double? WithinProblemAuc = null
)
{
    /// <summary>Compares <paramref name="scores"/> (per example, per step, in [0, 1]) with the examples'
    /// labels.</summary>
    public static ProcessReport Of(IReadOnlyList<ProcessExample> examples, IReadOnlyList<double[]> scores)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count != examples.Count)
            throw new ArgumentException($"{scores.Count} score lists for {examples.Count} examples.", nameof(scores));
        var all = examples.SelectMany((e, i) => e.Soft.Select((_, k) => (E: e, K: k, Score: scores[i][k]))).ToArray();
        var ruled = all.Where(s => s.E.Rule[s.K] is not null).ToArray();
        int errors = 0,
            errorsFound = 0,
            clean = 0,
            cleanKept = 0;
        for (int i = 0; i < examples.Count; i++)
        {
            int reference = examples[i].FirstError;
            int predicted = Array.FindIndex(scores[i], s => s < 0.5);
            if (reference >= 0)
            {
                errors++;
                errorsFound += predicted == reference ? 1 : 0;
            }
            else
            {
                clean++;
                cleanKept += predicted < 0 ? 1 : 0;
            }
        }
        double? a = errors == 0 ? null : (double)errorsFound / errors,
            b = clean == 0 ? null : (double)cleanKept / clean;
        double? f1 = a is double x && b is double y ? (x + y == 0 ? 0 : 2 * x * y / (x + y)) : null;
        return new ProcessReport(
            examples.Count,
            all.Length,
            Calibration.Auc([.. all.Select(s => s.Score)], [.. all.Select(s => s.E.Hard(s.K))]),
            f1,
            a,
            b,
            ruled.Length,
            ruled.Length == 0 ? null : ruled.Average(s => (s.Score >= 0.5) == s.E.Rule[s.K] ? 1.0 : 0.0),
            Calibration.Auc([.. ruled.Select(s => s.Score)], [.. ruled.Select(s => s.E.Rule[s.K] == true)]),
            ruled.Length == 0 ? null : ruled.Average(s => s.E.Hard(s.K) == s.E.Rule[s.K] ? 1.0 : 0.0),
            Calibration.WithinGroupAuc(
                [.. scores.Select(s => s.Length == 0 ? 0 : s[^1])],
                [.. examples.Select(e => e.Correct)],
                [.. examples.Select(e => e.ProblemId)]
            )
        );
    }

    /// <summary>The report as scorer.json metrics (absent values left out).</summary>
    public IReadOnlyDictionary<string, double> Metrics()
    {
        var m = new Dictionary<string, double>
        {
            ["heldout_solutions"] = Solutions,
            ["heldout_steps"] = Steps,
            ["heldout_rule_steps"] = RuleSteps,
        };
        void Add(string key, double? value)
        {
            if (value is double v)
                m[key] = v;
        }
        Add("heldout_step_auc", StepAuc);
        Add("heldout_first_error_f1", FirstErrorF1);
        Add("heldout_first_error_accuracy_erroneous", ErrorAccuracy);
        Add("heldout_first_error_accuracy_correct", CorrectAccuracy);
        Add("heldout_rule_agreement", RuleAgreement);
        Add("heldout_rule_auc", RuleAuc);
        Add("heldout_label_rule_agreement", LabelRuleAgreement);
        Add("heldout_auc_within_problem", WithinProblemAuc);
        return m;
    }
}
