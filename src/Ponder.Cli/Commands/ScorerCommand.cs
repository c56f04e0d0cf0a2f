using System.CommandLine;
using System.Globalization;
using Ponder.LanguageModels;
using Ponder.Scoring;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder scorer train</c>: sample from a policy, label with the grader, train an outcome scorer.</summary>
static class ScorerCommand
{
    /// <summary>The verb; <c>verifier</c> is its earlier name, kept as an alias.</summary>
    public static Command Create(CliOutput io)
    {
        var command = new Command("scorer", "Learned scoring functions that re-rank samples.") { Train(io) };
        command.Aliases.Add("verifier");
        return command;
    }

    static Command Train(CliOutput io)
    {
        var cli = new CliOptions();
        var command = new Command(
            "train",
            "Train an outcome scorer on the policy's own graded samples (or, with --process, a process scorer on "
                + "Monte-Carlo step labels); report held-out AUC and calibration (step AUC and first-error F1)."
        );
        cli.AddTo(command);
        command.SetAction(r => RunTrain(io, cli, r));
        return command;
    }

    static int RunTrain(CliOutput io, CliOptions cli, ParseResult r)
    {
        var data = cli.Data(r);
        var options = cli.Training(r);
        var device = CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!);
        string policyDir = r.GetValue(cli.Policy)!,
            outDir = r.GetValue(cli.Out)!;
        if (File.Exists(outDir))
            throw new PonderException($"--out {outDir}: a file; give the folder to write the scorer to.");
        ModelFacts.Read(policyDir, r.GetValue(cli.Lora.Base)).CheckCompletion("--max-tokens", data.MaxNewTokens);
        var spec = cli.Task.Spec(r);
        var reasoningTask = spec.Create();
        if (r.GetValue(cli.Process))
            return RunProcess(io, cli, r, data, options, device, reasoningTask, spec.StepSeparator(reasoningTask));
        var lm = LanguageModel.Load(policyDir, device, r.GetValue(cli.Lora.Base));
        var (scorer, report) = CliProgress.Run(
            io,
            $"sampling {data.Problems}×{data.SamplesPerProblem}",
            data.Problems * data.SamplesPerProblem,
            p => ScorerTraining.Run(lm, policyDir, reasoningTask, data, options, line => io.Error.WriteLine(line), p)
        );
        using (scorer)
        {
            scorer.Save(outDir);
        }
        Print(io, report);
        io.Out.WriteLine($"scorer written to {outDir}");
        return 0;
    }

    static int RunProcess(
        CliOutput io,
        CliOptions cli,
        ParseResult r,
        ScorerDataOptions data,
        ScorerOptions options,
        Runtime.DeviceOptions device,
        Tasks.IReasoningTask task,
        string separator
    )
    {
        string policyDir = r.GetValue(cli.Policy)!,
            outDir = r.GetValue(cli.Out)!;
        var process = new ProcessDataOptions(
            separator,
            new ProcessLabelOptions(
                r.GetValue(cli.RolloutsPerStep),
                data.MaxNewTokens,
                data.Seed,
                data.MaxThinkingTokens
            ).Validate(),
            r.GetValue(cli.HardLabels),
            StepAggregations.Parse(r.GetValue(cli.Aggregate)!)
        );
        var lm = LanguageModel.Load(policyDir, device, r.GetValue(cli.Lora.Base));
        var (scorer, report) = CliProgress.Run(
            io,
            $"sampling {data.Problems}×{data.SamplesPerProblem}",
            data.Problems * data.SamplesPerProblem,
            p => ProcessTraining.Run(lm, policyDir, task, data, process, options, line => io.Error.WriteLine(line), p)
        );
        using (scorer)
        {
            scorer.Save(outDir);
        }
        var c = CultureInfo.InvariantCulture;
        static string F(double? v) => v is double x ? x.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
        io.Out.WriteLine(
            string.Create(
                c,
                $"held-out: {report.Solutions} solutions, {report.Steps} steps; step AUC {F(report.StepAuc)}; "
                    + $"first-error F1 {F(report.FirstErrorF1)} (erroneous {F(report.ErrorAccuracy)}, correct "
                    + $"{F(report.CorrectAccuracy)}); within-problem AUC of the last step "
                    + $"{F(report.WithinProblemAuc)}"
            )
        );
        if (report.RuleSteps > 0)
        {
            io.Out.WriteLine(
                string.Create(
                    c,
                    $"rule check on {report.RuleSteps} steps: agreement {F(report.RuleAgreement)}, AUC "
                        + $"{F(report.RuleAuc)}; Monte-Carlo labels agree with the rule on "
                        + $"{F(report.LabelRuleAgreement)}"
                )
            );
        }
        io.Out.WriteLine($"process scorer written to {outDir}");
        return 0;
    }

    static void Print(CliOutput io, CalibrationReport report)
    {
        var c = CultureInfo.InvariantCulture;
        io.Out.WriteLine(
            string.Create(
                c,
                $"held-out: {report.Positives} correct, {report.Negatives} wrong; AUC "
                    + $"{(report.Auc is double a ? a.ToString("F3", c) : "n/a (one class only)")}, Brier "
                    + $"{report.Brier:F4}, ECE {report.Ece:F4}; within-problem AUC "
                    + $"{(report.WithinProblemAuc is double w ? w.ToString("F3", c) : "n/a (no problem with both)")}"
            )
        );
        io.Out.WriteLine("reliability: bin | samples | mean predicted | observed correct");
        foreach (var b in report.Bins.Where(b => b.Count > 0))
        {
            io.Out.WriteLine(
                string.Create(c, $"  [{b.Low:F1}, {b.High:F1}) | {b.Count} | {b.MeanPredicted:F3} | {b.Observed:F3}")
            );
        }
    }

    /// <summary>The options of <c>ponder scorer train</c>; their defaults are <see cref="ScorerDataOptions"/>'s and
    /// <see cref="ScorerOptions"/>'s.</summary>
    sealed class CliOptions
    {
        static readonly ScorerDataOptions DataDefaults = new();
        static readonly ScorerOptions Defaults = new();

        public Option<string> Policy { get; } =
            new("--policy")
            {
                Description = "The policy model directory (samples come from it; the scorer starts from its weights).",
                Required = true,
            };
        public Option<string> Out { get; } =
            new("--out") { Description = "Where the scorer directory is written.", Required = true };
        public Option<int> Problems { get; } =
            new("--problems")
            {
                Description = "Problems to sample (20% are held out).",
                DefaultValueFactory = _ => DataDefaults.Problems,
            };
        public Option<int> PerProblem { get; } =
            new("--samples-per-problem")
            {
                Description = "Completions per problem (temperature 1).",
                DefaultValueFactory = _ => DataDefaults.SamplesPerProblem,
            };
        public Option<int> MaxTokens { get; } =
            new("--max-tokens")
            {
                Description = "Completion tokens at most.",
                DefaultValueFactory = _ => DataDefaults.MaxNewTokens,
            };
        public Option<int?> MaxThinking { get; } =
            new("--max-thinking-tokens") { Description = "Thinking budget while sampling." };
        public Option<int> Steps { get; } =
            new("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => Defaults.Steps };
        public Option<int> Batch { get; } =
            new("--batch-size") { Description = "Sequences per step.", DefaultValueFactory = _ => Defaults.BatchSize };
        public Option<double> Lr { get; } =
            new("--lr")
            {
                Description = "Peak learning rate (head; body too with --train-body, where 3e-4 suits a small policy).",
                DefaultValueFactory = _ => Defaults.LearningRate,
            };
        public Option<int> MaxLen { get; } =
            new("--max-seq-len")
            {
                Description = "Tokens scored at most (longer inputs keep their end).",
                DefaultValueFactory = _ => Defaults.MaxLength,
            };
        public Option<long> Seed { get; } =
            new("--seed") { Description = "Sampling and data-order seed.", DefaultValueFactory = _ => 0 };
        public Option<bool> AllProblems { get; } =
            new("--all-problems")
            {
                Description =
                    "Also train on problems whose samples are all correct or all wrong (by default left out: "
                    + "they teach problem difficulty, not which sample of a problem is right).",
            };
        public Option<bool> EveryToken { get; } =
            new("--every-token")
            {
                Description =
                    "Train every completion position on the label, not only the last (Cobbe et al. 2021's "
                    + "token-level verifier).",
            };
        public Option<double> Pairwise { get; } =
            new("--pairwise")
            {
                Description =
                    "Weight of a pairwise loss between right and wrong samples of the same problem (batches "
                    + "become whole problems; 0: off).",
                DefaultValueFactory = _ => Defaults.PairwiseWeight,
            };
        public Option<bool> Process { get; } =
            new("--process")
            {
                Description =
                    "Train a process scorer (PRM): each step prefix is labelled by continuing it (Math-Shepherd) and "
                    + "scored at the step's last token; steps split as --steps-by says.",
            };
        public Option<int> RolloutsPerStep { get; } =
            new("--rollouts-per-step")
            {
                Description = "With --process: continuations sampled from each step prefix to label it.",
                DefaultValueFactory = _ => new ProcessLabelOptions().RolloutsPerStep,
            };
        public Option<bool> HardLabels { get; } =
            new("--hard-labels")
            {
                Description =
                    "With --process: train on 1 when any continuation reached a correct answer (Math-Shepherd's hard "
                    + "estimate) instead of the share that did.",
            };
        public Option<string> Aggregate { get; } =
            new("--aggregate")
            {
                Description = "With --process: the default solution score, last, min or prod of the step scores.",
                DefaultValueFactory = _ => "last",
            };
        public LoraCliOptions Lora { get; } = new();
        public Option<bool> TrainBody { get; } =
            new("--train-body")
            {
                Description =
                    "Fine-tune the body too (by default only the scalar head and the confidence weights learn; "
                    + "the body stays the policy's).",
            };
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<string> DType { get; } = CommonOptions.DType();
        public TaskOptions Task { get; } = new();

        public void AddTo(Command command)
        {
            Option[] all =
            [
                Policy,
                Out,
                Problems,
                PerProblem,
                MaxTokens,
                MaxThinking,
                Steps,
                Batch,
                Lr,
                MaxLen,
                Seed,
                AllProblems,
                EveryToken,
                Pairwise,
                TrainBody,
                Process,
                RolloutsPerStep,
                HardLabels,
                Aggregate,
                Device,
                DType,
            ];
            foreach (var o in all)
                command.Options.Add(o);
            Task.AddTo(command);
            Lora.AddTo(command);
        }

        /// <summary>What is sampled to train on, validated.</summary>
        public ScorerDataOptions Data(ParseResult r) =>
            new ScorerDataOptions(
                r.GetValue(Problems),
                r.GetValue(PerProblem),
                MaxNewTokens: r.GetValue(MaxTokens),
                MaxThinkingTokens: r.GetValue(MaxThinking),
                Seed: r.GetValue(Seed),
                MixedProblemsOnly: !r.GetValue(AllProblems)
            ).Validate();

        /// <summary>How the scorer is trained, validated.</summary>
        public ScorerOptions Training(ParseResult r) =>
            new ScorerOptions
            {
                Steps = r.GetValue(Steps),
                BatchSize = r.GetValue(Batch),
                LearningRate = r.GetValue(Lr),
                MaxLength = r.GetValue(MaxLen),
                Seed = r.GetValue(Seed),
                EveryToken = r.GetValue(EveryToken),
                PairwiseWeight = r.GetValue(Pairwise),
                TrainBody = r.GetValue(TrainBody),
                Lora = Lora.Build(r),
            }.Validate();
    }
}
