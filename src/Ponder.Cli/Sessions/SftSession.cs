using System.Diagnostics;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Plots;
using Ponder.Runs;
using Ponder.Tasks;
using Ponder.Training;

namespace Ponder.Cli.Sessions;

/// <summary>What an SFT run needs besides the trainer's own options.</summary>
/// <param name="Task">The task as the user specified it, recorded in the run's config.json (settings such as
/// numbers=3).</param>
/// <param name="Tools">The tools of <c>--tools</c>: held-out problems are then episodes with them
/// (<see cref="Rollouts.MultiTurnRollouts"/>). <value>The default value is null: one turn, no tools.</value></param>
sealed record SftRunSettings(
    string Out,
    bool Resume,
    string DType,
    int EvalProblems,
    int EvalMaxTokens,
    string Device = "cpu",
    TaskSpec? Task = null,
    string? Base = null,
    ToolSettings? Tools = null
)
{
    /// <summary>Checks the settings against the model's files before anything is loaded or trained: the held-out
    /// evaluation runs after training, so a setting it alone reads would otherwise fail only then.</summary>
    public SftRunSettings Validate(ModelFacts model, SftOptions options)
    {
        CommonOptions.ToDevice(Device, DType);
        if (EvalProblems < 1)
            throw new PonderException($"--eval-problems {EvalProblems}: must be at least 1.");
        if (EvalMaxTokens < 1)
            throw new PonderException($"--eval-max-tokens {EvalMaxTokens}: must be at least 1.");
        model.CheckCompletion("--eval-max-tokens", EvalMaxTokens);
        model.CheckSequence("--max-seq-len", options.MaxSequenceLength);
        return this;
    }
}

/// <summary>
/// An SFT run end to end: resume or start, step with a progress bar, evaluate held-out problems greedily, checkpoint,
/// log to the run store, plot. Shared by <c>ponder sft</c> and <c>ponder demo</c>.
/// </summary>
static class SftSession
{
    /// <returns>The final model's folder, the last evaluation, the run's seconds and its training FLOPs (a resumed
    /// run's included).</returns>
    public static (string FinalModel, Dictionary<string, double> LastEval, double Seconds, double Flops) Run(
        CliOutput io,
        string modelDir,
        IReasoningTask task,
        SftData data,
        SftOptions options,
        SftRunSettings settings
    )
    {
        var clock = Stopwatch.StartNew();
        HeldOut.WarnIfNoSplit(io, task);
        string checkpoints = RunFolder.Checkpoints(settings.Out);
        string? latest = RunFolder.ResumePoint(settings.Out, settings.Resume);
        using var lm = ModelFacts.LoadForRun(modelDir, latest, settings.Device, settings.DType, settings.Base);
        using var trainer = new SftTrainer(lm, data, options);
        using var tools = settings.Tools?.Open(task);
        if (latest is not null)
            trainer.Resume(latest);
        var config = Config(modelDir, task, data, options, settings);
        var store = RunFolder.Store(io, settings.Out, "sft", config, latest, trainer.State.Step);
        using (store)
        {
            var testProblems = HeldOut.Problems(task, settings.EvalProblems);
            var greedy = new SamplingOptions
            {
                Temperature = 0,
                MaxNewTokens = settings.EvalMaxTokens,
                Seed = 0,
            };
            var lastEval = new Dictionary<string, double>();
            void Evaluate()
            {
                (lastEval, _) = HeldOut.Evaluate(lm, task, testProblems, greedy, tools: tools);
                store.LogMetrics(trainer.State.Step, lastEval);
            }

            Loop(io, trainer, store, options, Evaluate, checkpoints);
            var evaluated = store.ReadMetrics("eval/pass@1");
            if (evaluated.Count == 0 || evaluated[^1].Step != trainer.State.Step)
                Evaluate();
            trainer.SaveCheckpoint(checkpoints);
            string final = Path.Combine(settings.Out, "model");
            lm.Save(final);
            foreach (var (k, v) in lastEval)
                store.SetHeadline(k, v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture));
            RunPlots.Write(store);
            return (final, lastEval, clock.Elapsed.TotalSeconds, trainer.CumulativeFlops);
        }
    }

    /// <summary>The run's config.json: what a resume checks against (task and data) and what the run used.</summary>
    static object Config(
        string modelDir,
        IReasoningTask task,
        SftData data,
        SftOptions options,
        SftRunSettings settings
    ) =>
        new
        {
            model = modelDir,
            task = task.Name,
            task_spec = settings.Task,
            data = data.Description,
            options,
            settings.DType,
            tools = settings.Tools,
        };

    static void Loop(
        CliOutput io,
        SftTrainer trainer,
        RunStore store,
        SftOptions options,
        Action evaluate,
        string checkpoints
    ) =>
        TrainingProgress.Run(
            io,
            "SFT",
            trainer.State.Step,
            options.Steps,
            plainEvery: 50,
            report =>
            {
                while (!trainer.Finished)
                {
                    var step = trainer.Step();
                    store.LogMetrics(step.Step, step.ToMetrics());
                    report(step.Step, $"loss {step.Loss:F3} · {step.TokensPerSecond:F0} tok/s");
                    if (options.EvalEvery > 0 && step.Step % options.EvalEvery == 0)
                        evaluate();
                    if (step.Step % options.CheckpointEvery == 0 && !trainer.Finished)
                        trainer.SaveCheckpoint(checkpoints);
                }
            }
        );
}
