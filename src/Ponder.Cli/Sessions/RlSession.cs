using System.Diagnostics;
using System.Globalization;
using Ponder.Checkpoints;
using Ponder.Clients.Fleet;
using Ponder.LanguageModels;
using Ponder.Plots;
using Ponder.Reinforcement;
using Ponder.Rollouts;
using Ponder.Rollouts.Monitoring;
using Ponder.Runs;
using Ponder.Tasks;
using Ponder.Training;

namespace Ponder.Cli.Sessions;

/// <summary>What an RL run needs besides the trainer's options.</summary>
/// <param name="Task">The task as the user specified it, recorded in the run's config.json (settings such as
/// numbers=3).</param>
/// <param name="StartFlops">Training FLOPs the starting model already cost (its SFT run), added to every evaluation's
/// compute so that step 0 sits there on the log axis of the train-time figure. <value>The default value is 0 (not
/// known: step 0 is then left out of the figure).</value></param>
/// <param name="Monitor">A CoT monitor rules file (<see cref="RuleCotMonitor"/>), recorded in config.json; null: no
/// monitor.</param>
/// <param name="Tools">Multi-turn rollouts with these tools (<c>--tools</c>), recorded in config.json; null: one
/// turn.</param>
sealed record RlRunSettings(
    string Out,
    bool Resume,
    string DType,
    string Device = "cpu",
    TaskSpec? Task = null,
    double StartFlops = 0,
    string? Base = null,
    FleetOptions? Fleet = null,
    string? Monitor = null,
    ToolSettings? Tools = null
);

/// <summary>What an RL run gives back: its final model folder, the last evaluation's metrics, its seconds, each step's
/// overhead ratio, every held-out evaluation of the run as a point of the train-time figure, and the metrics of the
/// evaluations this process ran, by step.</summary>
sealed record RlResult(
    string FinalModel,
    Dictionary<string, double> LastEval,
    double Seconds,
    IReadOnlyList<double> StepOverheads,
    IReadOnlyList<TrainPoint> Curve,
    IReadOnlyDictionary<int, Dictionary<string, double>> Evaluations
);

/// <summary>
/// An RL run end to end: resume or start, step with a progress bar, evaluate held-out problems, checkpoint, log every
/// metric, and draw the train-time scaling plot (held-out pass@1 against cumulative training FLOPs). Shared by
/// <c>ponder rl</c> and <c>ponder demo</c>.
/// </summary>
static class RlSession
{
    public static RlResult Run(
        CliOutput io,
        string modelDir,
        IReasoningTask task,
        RlOptions options,
        RlRunSettings settings
    )
    {
        var clock = Stopwatch.StartNew();
        var monitor = settings.Monitor is { } rules ? RuleCotMonitor.Load(rules) : null; // a bad file before any work
        HeldOut.WarnIfNoSplit(io, task);
        string checkpoints = RunFolder.Checkpoints(settings.Out);
        string? latest = RunFolder.ResumePoint(settings.Out, settings.Resume);
        if (latest is not null)
            EnsureSameArchitecture(ModelFacts.ConfigFolder(modelDir, settings.Base), latest);
        using var lm = ModelFacts.LoadForRun(modelDir, latest, settings.Device, settings.DType, settings.Base);
        using var fleet = settings.Fleet is { } f ? new FleetRollouts(f, lm, io.Error.WriteLine) : null;
        using var tools = settings.Tools?.Open(task);
        using var trainer = new RlTrainer(lm, task, options, fleet, monitor, tools?.Use);
        if (latest is not null)
            trainer.Resume(latest);
        var config = Config(modelDir, task, options, settings);
        using (var store = RunFolder.Store(io, settings.Out, "rl", config, latest, trainer.State.Step))
        {
            var testProblems = HeldOut.Problems(task, options.EvalProblems);
            var lastEval = new Dictionary<string, double>();
            var overheads = new List<double>();
            var evaluations = new Dictionary<int, Dictionary<string, double>>();
            void Evaluate()
            {
                lastEval = Measure(task, trainer.Evaluate(testProblems), options.EvalSamples, tools is not null);
                lastEval[ComputeMetric] = settings.StartFlops + trainer.CumulativeFlops;
                store.LogMetrics(trainer.State.Step, lastEval);
                evaluations[trainer.State.Step] = lastEval;
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
            var curve = Curve(store);
            TrainScalingPlot.Write(store.Dir, curve);
            return new RlResult(final, lastEval, clock.Elapsed.TotalSeconds, overheads, curve, evaluations);
        }
    }

    /// <summary>The run's config.json: what a resume checks against and what the run used.</summary>
    static object Config(string modelDir, IReasoningTask task, RlOptions options, RlRunSettings settings) =>
        new
        {
            model = modelDir,
            task = task.Name,
            task_spec = settings.Task,
            options,
            settings.DType,
            monitor = settings.Monitor,
            tools = settings.Tools,
        };

    /// <summary>Held-out metrics; with tools, the mean turns and the tool-call rate too.</summary>
    static Dictionary<string, double> Measure(IReasoningTask task, IReadOnlyList<Rollout> rollouts, int n, bool tools)
    {
        var metrics = HeldOut.Measure(task, rollouts, n, "eval/");
        if (tools)
        {
            foreach (var (k, v) in HeldOut.ToolStats(rollouts, "eval/"))
                metrics[k] = v;
        }
        return metrics;
    }

    /// <summary>The metric holding each evaluation's training FLOPs (<see cref="RlRunSettings.StartFlops"/>
    /// included).</summary>
    public const string ComputeMetric = "eval/compute_flops";

    /// <summary>Every held-out evaluation of the run as a point of o1's train-time figure, by step. Evaluations logged
    /// before the interval was (older runs) get a point-wide band.</summary>
    public static IReadOnlyList<TrainPoint> Curve(RunStore store)
    {
        static Dictionary<int, double> Read(RunStore store, string metric) =>
            store.ReadMetrics(metric).GroupBy(p => p.Step).ToDictionary(g => g.Key, g => g.Last().Value);
        var compute = Read(store, ComputeMetric);
        var low = Read(store, "eval/" + HeldOut.PassAt1Low);
        var high = Read(store, "eval/" + HeldOut.PassAt1High);
        return Read(store, "eval/pass@1")
            .Where(kv => compute.ContainsKey(kv.Key))
            .OrderBy(kv => kv.Key)
            .Select(kv => new TrainPoint(
                kv.Key,
                compute[kv.Key],
                kv.Value,
                low.GetValueOrDefault(kv.Key, kv.Value),
                high.GetValueOrDefault(kv.Key, kv.Value)
            ))
            .ToList();
    }

    static void EnsureSameArchitecture(string modelDir, string checkpoint)
    {
        var a = ModelDirectory.LoadConfig(modelDir) with { TorchDtype = null };
        var b = ModelDirectory.LoadConfig(ModelFacts.ConfigFolder(checkpoint)) with { TorchDtype = null };
        if (a.ToJson() != b.ToJson())
        {
            throw new PonderException(
                $"{checkpoint}: the checkpoint's architecture differs from --model {modelDir} (config.json); "
                    + "resume with the model the run started from, or choose another --out."
            );
        }
    }

    /// <summary>Tells the user, a line each, when the grader threw or the CoT monitor flagged rollouts in a
    /// step.</summary>
    static void Warn(CliOutput io, RlStep step)
    {
        if (step.Rollouts.FirstOrDefault(x => x.Grade.Error is not null) is { } failed)
        {
            io.Error.WriteLine(
                $"warning: step {step.Step}: the grader threw on {step.Metrics["rollout/grader_errors"]} samples "
                    + $"(reward 0), e.g. problem {failed.Problem.Id}: {failed.Grade.Error}"
            );
        }

        var verdicts = step.Verdicts ?? [];
        int flagged = verdicts.Count(v => v.Action != CotAction.Allow);
        if (flagged == 0)
            return;
        int first = verdicts.ToList().FindIndex(v => v.Action != CotAction.Allow);
        int blocked = verdicts.Count(v => v.Action == CotAction.Block);
        io.Error.WriteLine(
            $"warning: step {step.Step}: the CoT monitor flagged {flagged} of {verdicts.Count} rollouts "
                + $"({blocked} blocked), e.g. problem {step.Rollouts[first].Problem.Id}: {verdicts[first].Reason}"
        );
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
                var evalSteps = options.EvalSteps.ToHashSet();
                while (!trainer.Finished)
                {
                    var step = trainer.Step();
                    store.LogMetrics(step.Step, step.Metrics);
                    store.LogSamples(
                        step.Step,
                        step.Rollouts.Take(8).Select((x, i) => SampleWriter.Record(x) with { Reward = step.Rewards[i] })
                    );
                    Warn(io, step);
                    overheads.Add(step.Metrics["time/overhead_ratio"]);
                    report(
                        step.Step,
                        $"reward {step.Metrics["reward/mean"]:F2} · acc {step.Metrics["reward/accuracy"]:P0} "
                            + $"· {step.Metrics["time/step"]:F1} s/step"
                    );
                    if (evalSteps.Contains(step.Step))
                        evaluate();
                    if (step.Step % options.CheckpointEvery == 0 && !trainer.Finished)
                        trainer.SaveCheckpoint(checkpoints);
                }
            }
        );
}
