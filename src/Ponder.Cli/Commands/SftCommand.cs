using System.CommandLine;
using Ponder.Cli.Sessions;
using Ponder.Tasks;
using Ponder.Training;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder sft</c>: supervised fine-tuning on reasoning traces (a generated task's own, or a JSONL
/// file).</summary>
static class SftCommand
{
    public static Command Create(CliOutput io)
    {
        var model = CommonOptions.Model();
        var outDir = new Option<string>("--out")
        {
            Description = "Run folder (checkpoints, metrics, plots, final model).",
            Required = true,
        };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue the run in --out from its last checkpoint.",
        };
        var d = new SftOptions();
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => d.Steps };
        var batch = new Option<int>("--batch-size")
        {
            Description = "Sequences per micro-batch.",
            DefaultValueFactory = _ => d.BatchSize,
        };
        var accum = new Option<int>("--grad-accum")
        {
            Description = "Micro-batches per step.",
            DefaultValueFactory = _ => d.GradientAccumulation,
        };
        var lr = new Option<double>("--lr")
        {
            Description = "Peak learning rate (1e-3 from scratch, ~1e-5 to fine-tune).",
            DefaultValueFactory = _ => d.LearningRate,
        };
        var warmup = new Option<int>("--warmup")
        {
            Description = "Warm-up steps.",
            DefaultValueFactory = _ => d.WarmupSteps,
        };
        var maxLen = new Option<int>("--max-seq-len")
        {
            Description = "Longer examples are cut.",
            DefaultValueFactory = _ => d.MaxSequenceLength,
        };
        var evalEvery = new Option<int>("--eval-every")
        {
            Description = "Held-out evaluation every N steps (0: end only).",
            DefaultValueFactory = _ => d.EvalEvery,
        };
        var evalProblems = new Option<int>("--eval-problems")
        {
            Description = "Held-out problems per evaluation (greedy).",
            DefaultValueFactory = _ => 100,
        };
        var evalTokens = new Option<int>("--eval-max-tokens")
        {
            Description = "Completion tokens at most in evaluation.",
            DefaultValueFactory = _ => 512,
        };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Checkpoint every N steps.",
            DefaultValueFactory = _ => d.CheckpointEvery,
        };
        var seed = new Option<long>("--seed")
        {
            Description = "Data order and trace seed.",
            DefaultValueFactory = _ => 0,
        };
        var trainProblems = new Option<int>("--train-problems")
        {
            Description =
                "Generated tasks: distinct training problems to cycle through (every one the task has when "
                + "that is fewer).",
            DefaultValueFactory = _ => 20_000,
        };
        var drawShare = new Option<double>("--draw-share")
        {
            Description =
                "Generated tasks: the share of training examples taken as the generator draws problems, "
                + "repeats included (more of the small problem kinds, e.g. one-digit arithmetic); the rest are "
                + "the distinct problems (at most 0.9). 1: draws only.",
            DefaultValueFactory = _ => 0,
        };
        var noPacking = new Option<bool>("--no-packing")
        {
            Description =
                "Pad every example to the batch's longest instead of packing several per row (same loss, slower).",
        };
        var dtype = CommonOptions.DType();
        var device = CommonOptions.Device();
        var task = new TaskOptions("--eval-data");
        var data = new Option<string?>("--data")
        {
            Description =
                "SFT conversations (JSONL: {\"messages\": […]} or {\"prompt\", \"reasoning\", \"answer\"}); "
                + "default: the task's own reference traces.",
        };
        var command = new Command(
            "sft",
            "Supervised fine-tuning on reasoning traces (loss on the assistant's thinking and answer)."
        )
        {
            model,
            data,
            outDir,
            resume,
            steps,
            batch,
            accum,
            lr,
            warmup,
            maxLen,
            evalEvery,
            evalProblems,
            evalTokens,
            checkpointEvery,
            seed,
            noPacking,
            trainProblems,
            drawShare,
            dtype,
            device,
        };
        task.AddTo(command);
        command.SetAction(r =>
        {
            var options = new SftOptions
            {
                Steps = r.GetValue(steps),
                BatchSize = r.GetValue(batch),
                GradientAccumulation = r.GetValue(accum),
                LearningRate = r.GetValue(lr),
                WarmupSteps = r.GetValue(warmup),
                MaxSequenceLength = r.GetValue(maxLen),
                EvalEvery = r.GetValue(evalEvery),
                CheckpointEvery = r.GetValue(checkpointEvery),
                Seed = r.GetValue(seed),
                Packing = !r.GetValue(noPacking),
            }.Validate();
            var spec = task.Spec(r);
            var reasoningTask = spec.Create();
            SftData examples =
                r.GetValue(data) is { } file ? SftData.FromFile(file, options.Seed)
                : reasoningTask is ITraceTask traces
                    ? SftData.FromTask(
                        traces,
                        options.Seed,
                        PositivePool(r.GetValue(trainProblems)),
                        r.GetValue(drawShare)
                    )
                : throw new PonderException(
                    $"--task {spec.Name} has no reference traces; give SFT conversations with --data FILE.jsonl."
                );
            var (final, eval, seconds) = SftSession.Run(
                io,
                r.GetValue(model)!,
                reasoningTask,
                examples,
                options,
                new SftRunSettings(
                    r.GetValue(outDir)!,
                    r.GetValue(resume),
                    r.GetValue(dtype)!,
                    r.GetValue(evalProblems),
                    r.GetValue(evalTokens),
                    r.GetValue(device)!,
                    spec
                )
            );
            io.Out.WriteLine(
                $"SFT done in {seconds / 60:F1} min: held-out greedy pass@1 "
                    + $"{eval.GetValueOrDefault("eval/pass@1"):P1}; model in {final}"
            );
            return 0;
        });
        return command;
    }

    static int PositivePool(int n) =>
        n >= 1 ? n : throw new PonderException($"--train-problems {n}: must be at least 1.");
}
