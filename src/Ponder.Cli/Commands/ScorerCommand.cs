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
        var policy = new Option<string>("--policy")
        {
            Description = "The policy model directory (samples come from it; the scorer starts from its weights).",
            Required = true,
        };
        var outDir = new Option<string>("--out")
        {
            Description = "Where the scorer directory is written.",
            Required = true,
        };
        var dd = new ScorerDataOptions();
        var d = new ScorerOptions();
        var problems = new Option<int>("--problems")
        {
            Description = "Problems to sample (20% are held out).",
            DefaultValueFactory = _ => dd.Problems,
        };
        var perProblem = new Option<int>("--samples-per-problem")
        {
            Description = "Completions per problem (temperature 1).",
            DefaultValueFactory = _ => dd.SamplesPerProblem,
        };
        var maxTokens = new Option<int>("--max-tokens")
        {
            Description = "Completion tokens at most.",
            DefaultValueFactory = _ => dd.MaxNewTokens,
        };
        var maxThinking = new Option<int?>("--max-thinking-tokens") { Description = "Thinking budget while sampling." };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => d.Steps };
        var batch = new Option<int>("--batch-size")
        {
            Description = "Sequences per step.",
            DefaultValueFactory = _ => d.BatchSize,
        };
        var lr = new Option<double>("--lr")
        {
            Description = "Peak learning rate (head; body too with --train-body, where 3e-4 suits a small policy).",
            DefaultValueFactory = _ => d.LearningRate,
        };
        var maxLen = new Option<int>("--max-seq-len")
        {
            Description = "Tokens scored at most (longer inputs keep their end).",
            DefaultValueFactory = _ => d.MaxLength,
        };
        var seed = new Option<long>("--seed")
        {
            Description = "Sampling and data-order seed.",
            DefaultValueFactory = _ => 0,
        };
        var allProblems = new Option<bool>("--all-problems")
        {
            Description =
                "Also train on problems whose samples are all correct or all wrong (by default left out: "
                + "they teach problem difficulty, not which sample of a problem is right).",
        };
        var everyToken = new Option<bool>("--every-token")
        {
            Description =
                "Train every completion position on the label, not only the last (Cobbe et al. 2021's "
                + "token-level scorer).",
        };
        var pairwise = new Option<double>("--pairwise")
        {
            Description =
                "Weight of a pairwise loss between right and wrong samples of the same problem (batches "
                + "become whole problems; 0: off).",
            DefaultValueFactory = _ => d.PairwiseWeight,
        };
        var trainBody = new Option<bool>("--train-body")
        {
            Description =
                "Fine-tune the body too (by default only the scalar head and the confidence weights learn; "
                + "the body stays the policy's).",
        };
        var device = CommonOptions.Device();
        var dtype = CommonOptions.DType();
        var task = new TaskOptions();
        var command = new Command(
            "train",
            "Train an outcome scorer on the policy's own graded samples; report held-out AUC and calibration."
        )
        {
            policy,
            outDir,
            problems,
            perProblem,
            maxTokens,
            maxThinking,
            steps,
            batch,
            lr,
            maxLen,
            seed,
            allProblems,
            everyToken,
            pairwise,
            trainBody,
            device,
            dtype,
        };
        task.AddTo(command);
        command.SetAction(r =>
        {
            var data = new ScorerDataOptions(
                r.GetValue(problems),
                r.GetValue(perProblem),
                MaxNewTokens: r.GetValue(maxTokens),
                MaxThinkingTokens: r.GetValue(maxThinking),
                Seed: r.GetValue(seed),
                MixedProblemsOnly: !r.GetValue(allProblems)
            ).Validate();
            var options = new ScorerOptions
            {
                Steps = r.GetValue(steps),
                BatchSize = r.GetValue(batch),
                LearningRate = r.GetValue(lr),
                MaxLength = r.GetValue(maxLen),
                Seed = r.GetValue(seed),
                EveryToken = r.GetValue(everyToken),
                PairwiseWeight = r.GetValue(pairwise),
                TrainBody = r.GetValue(trainBody),
            }.Validate();
            var reasoningTask = task.Spec(r).Create();
            string policyDir = r.GetValue(policy)!;
            var lm = LanguageModel.Load(policyDir, CommonOptions.ToDevice(r.GetValue(device)!, r.GetValue(dtype)!));
            var (scorer, report) = CliProgress.Run(
                io,
                $"sampling {data.Problems}×{data.SamplesPerProblem}",
                data.Problems * data.SamplesPerProblem,
                p =>
                    ScorerTraining.Run(lm, policyDir, reasoningTask, data, options, line => io.Error.WriteLine(line), p)
            );
            using (scorer)
            {
                scorer.Save(r.GetValue(outDir)!);
            }
            Print(io, report);
            io.Out.WriteLine($"scorer written to {r.GetValue(outDir)}");
            return 0;
        });
        return command;
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
}
