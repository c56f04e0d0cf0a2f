using System.Diagnostics;
using System.Globalization;
using Ponder.Checkpoints;
using Ponder.LanguageModels;
using Ponder.Plots;
using Ponder.Reinforcement;
using Ponder.Runs;
using Ponder.Tasks;
using Ponder.Training;

namespace Ponder.Cli.Sessions;

/// <summary>What an RL run needs besides the trainer's options.</summary>
/// <param name="Task">The task as the user specified it, recorded in the run's config.json (settings such as
/// numbers=3).</param>
sealed record RlRunSettings(string Out, bool Resume, string DType, string Device = "cpu", TaskSpec? Task = null);

/// <summary>
/// An RL run end to end: resume or start, step with a progress bar, evaluate held-out problems, checkpoint, log every
/// metric, and draw the train-time scaling plot (held-out pass@1 against cumulative training FLOPs). Shared by
/// <c>ponder rl</c> and <c>ponder demo</c>.
/// </summary>
static class RlSession
{
    public const string ScalingPlot = "train_scaling.png";

    public static (
        string FinalModel,
        Dictionary<string, double> LastEval,
        double Seconds,
        IReadOnlyList<double> StepOverheads
    ) Run(CliOutput io, string modelDir, IReasoningTask task, RlOptions options, RlRunSettings settings)
    {
        var clock = Stopwatch.StartNew();
        HeldOut.WarnIfNoSplit(io, task);
        string checkpoints = RunFolder.Checkpoints(settings.Out);
        string? latest = RunFolder.ResumePoint(settings.Out, settings.Resume);
        if (latest is not null)
            EnsureSameArchitecture(modelDir, latest);
        using var lm = LanguageModel.Load(latest ?? modelDir, CommonOptions.ToDevice(settings.Device, settings.DType));
        using var trainer = new RlTrainer(lm, task, options);
        if (latest is not null)
            trainer.Resume(latest);
        var store = RunFolder.Store(
            io,
            settings.Out,
            "rl",
            new
            {
                model = modelDir,
                task = task.Name,
                task_spec = settings.Task,
                options,
                settings.DType,
            },
            latest,
            trainer.State.Step
        );
        using (store)
        {
            var testProblems = HeldOut.Problems(task, options.EvalProblems);
            var lastEval = new Dictionary<string, double>();
            var overheads = new List<double>();
            void Evaluate()
            {
                lastEval = HeldOut.Measure(task, trainer.Evaluate(testProblems), options.EvalSamples, "eval/");
                lastEval["eval/compute_flops"] = trainer.CumulativeFlops;
                store.LogMetrics(trainer.State.Step, lastEval);
            }

            if (trainer.State.Step == 0)
                Evaluate();
            Loop(io, trainer, store, options, Evaluate, checkpoints, overheads);
            var evaluated = store.ReadMetrics("eval/pass@1");
            if (evaluated.Count == 0 || evaluated[^1].Step != trainer.State.Step)
                Evaluate();
            trainer.SaveCheckpoint(checkpoints);
            string final = Path.Combine(settings.Out, "model");
            lm.Save(final);
            foreach (var (k, v) in lastEval)
                store.SetHeadline(k, v.ToString("G4", CultureInfo.InvariantCulture));
            RunPlots.Write(store);
            WriteScalingPlot(store);
            return (final, lastEval, clock.Elapsed.TotalSeconds, overheads);
        }
    }

    /// <summary>o1's first figure for this run: held-out pass@1 against cumulative training FLOPs (log x).</summary>
    public static string? WriteScalingPlot(RunStore store)
    {
        var accuracy = store.ReadMetrics("eval/pass@1");
        var compute = store.ReadMetrics("eval/compute_flops").ToDictionary(p => p.Step, p => p.Value);
        var points = accuracy
            .Where(p => compute.TryGetValue(p.Step, out var f) && f > 0)
            .Select(p => (compute[p.Step], p.Value))
            .ToList();
        if (points.Count < 2)
            return null;
        string path = Path.Combine(store.Dir, ScalingPlot);
        LinePlot.Save(
            path,
            "Held-out pass@1 vs train-time compute",
            "training FLOPs (log scale)",
            "pass@1",
            [("RL", points)],
            new AxisStyle(LogX: true, Fraction: true)
        );
        return path;
    }

    static void EnsureSameArchitecture(string modelDir, string checkpoint)
    {
        var a = ModelDirectory.LoadConfig(modelDir) with { TorchDtype = null };
        var b = ModelDirectory.LoadConfig(checkpoint) with { TorchDtype = null };
        if (a.ToJson() != b.ToJson())
        {
            throw new PonderException(
                $"{checkpoint}: the checkpoint's architecture differs from --model {modelDir} (config.json); "
                    + "resume with the model the run started from, or choose another --out."
            );
        }
    }

    static void Loop(
        CliOutput io,
        RlTrainer trainer,
        RunStore store,
        RlOptions options,
        Action evaluate,
        string checkpoints,
        List<double> overheads
    ) =>
        TrainingProgress.Run(
            io,
            "RL",
            trainer.State.Step,
            options.Steps,
            plainEvery: 10,
            report =>
            {
                while (!trainer.Finished)
                {
                    var step = trainer.Step();
                    store.LogMetrics(step.Step, step.Metrics);
                    store.LogSamples(
                        step.Step,
                        step.Rollouts.Take(8).Select((x, i) => SampleWriter.Record(x) with { Reward = step.Rewards[i] })
                    );
                    if (step.Rollouts.FirstOrDefault(x => x.Grade.Error is not null) is { } failed)
                    {
                        io.Error.WriteLine(
                            $"warning: step {step.Step}: the grader threw on "
                                + $"{step.Metrics["rollout/grader_errors"]} samples (reward 0), e.g. problem "
                                + $"{failed.Problem.Id}: {failed.Grade.Error}"
                        );
                    }

                    overheads.Add(step.Metrics["time/overhead_ratio"]);
                    report(
                        step.Step,
                        $"reward {step.Metrics["reward/mean"]:F2} · acc {step.Metrics["reward/accuracy"]:P0} "
                            + $"· {step.Metrics["time/step"]:F1} s/step"
                    );
                    if (options.EvalEvery > 0 && step.Step % options.EvalEvery == 0)
                        evaluate();
                    if (step.Step % options.CheckpointEvery == 0 && !trainer.Finished)
                        trainer.SaveCheckpoint(checkpoints);
                }
            }
        );
}
