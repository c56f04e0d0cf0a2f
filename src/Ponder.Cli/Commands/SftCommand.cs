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
        var cli = new CliOptions();
        var command = new Command(
            "sft",
            "Supervised fine-tuning on reasoning traces (loss on the assistant's thinking and answer)."
        );
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        var options = cli.Build(r);
        var tools = cli.Tools.Build(r);
        string model = r.GetValue(cli.Model)!;
        var spec = cli.Task.Spec(r);
        var settings = new SftRunSettings(
            r.GetValue(cli.Out)!,
            r.GetValue(cli.Resume),
            r.GetValue(cli.DType)!,
            r.GetValue(cli.EvalProblems),
            r.GetValue(cli.EvalTokens),
            r.GetValue(cli.Device)!,
            spec,
            r.GetValue(cli.Lora.Base),
            tools
        ).Validate(ModelFacts.Read(model, r.GetValue(cli.Lora.Base)), options);
        var reasoningTask = spec.Create();
        // Tool definitions go into every example's system turn when tools are described, as rollouts render them;
        // the held-out problems are episodes with the tools.
        var examples = Examples(cli, r, spec, reasoningTask, options.Seed).WithTools(tools?.Definitions);
        var (final, eval, seconds, _) = SftSession.Run(io, model, reasoningTask, examples, options, settings);
        io.Out.WriteLine(
            $"SFT done in {seconds / 60:F1} min: held-out greedy pass@1 "
                + $"{eval.GetValueOrDefault("eval/pass@1"):P1}; model in {final}"
        );
        return 0;
    }

    /// <summary>The conversations of <c>--data</c>, else the task's own reference traces (or conversations, e.g.
    /// arithmetic's with <c>--task-option tool=python</c>).</summary>
    static SftData Examples(CliOptions cli, ParseResult r, TaskSpec spec, IReasoningTask task, long seed) =>
        r.GetValue(cli.Data) is { } file ? SftData.FromFile(file, seed)
        : task is ITraceTask traces
            ? SftData.FromTask(traces, seed, PositivePool(r.GetValue(cli.TrainProblems)), r.GetValue(cli.DrawShare))
        : throw new PonderException(
            $"--task {spec.Name} has no reference traces; give SFT conversations with --data FILE.jsonl."
        );

    static int PositivePool(int n) =>
        n >= 1 ? n : throw new PonderException($"--train-problems {n}: must be at least 1.");

    /// <summary>The options of <c>ponder sft</c>; their defaults are <see cref="SftOptions"/>'s.</summary>
    sealed class CliOptions
    {
        static readonly SftOptions Defaults = new();

        public Option<string> Model { get; } = CommonOptions.Model();
        public Option<string?> Data { get; } =
            new("--data")
            {
                Description =
                    "SFT conversations (JSONL: {\"messages\": […]} or {\"prompt\", \"reasoning\", \"answer\"}); "
                    + "default: the task's own reference traces.",
            };
        public Option<string> Out { get; } =
            new("--out") { Description = "Run folder (checkpoints, metrics, plots, final model).", Required = true };
        public Option<bool> Resume { get; } =
            new("--resume") { Description = "Continue the run in --out from its last checkpoint." };
        public Option<int> Steps { get; } =
            new("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => Defaults.Steps };
        public Option<int> Batch { get; } =
            new("--batch-size")
            {
                Description = "Sequences per micro-batch.",
                DefaultValueFactory = _ => Defaults.BatchSize,
            };
        public Option<int> Accum { get; } =
            new("--grad-accum")
            {
                Description = "Micro-batches per step.",
                DefaultValueFactory = _ => Defaults.GradientAccumulation,
            };
        public Option<double> Lr { get; } =
            new("--lr")
            {
                Description = "Peak learning rate (1e-3 from scratch, ~1e-5 to fine-tune).",
                DefaultValueFactory = _ => Defaults.LearningRate,
            };
        public Option<int> Warmup { get; } =
            new("--warmup") { Description = "Warm-up steps.", DefaultValueFactory = _ => Defaults.WarmupSteps };
        public Option<int> MaxLen { get; } =
            new("--max-seq-len")
            {
                Description = "Longer examples are cut.",
                DefaultValueFactory = _ => Defaults.MaxSequenceLength,
            };
        public Option<int> EvalEvery { get; } =
            new("--eval-every")
            {
                Description = "Held-out evaluation every N steps (0: end only).",
                DefaultValueFactory = _ => Defaults.EvalEvery,
            };
        public Option<int> EvalProblems { get; } =
            new("--eval-problems")
            {
                Description = "Held-out problems per evaluation (greedy).",
                DefaultValueFactory = _ => 100,
            };
        public Option<int> EvalTokens { get; } =
            new("--eval-max-tokens")
            {
                Description = "Completion tokens at most in evaluation.",
                DefaultValueFactory = _ => 512,
            };
        public Option<int> CheckpointEvery { get; } =
            new("--checkpoint-every")
            {
                Description = "Checkpoint every N steps.",
                DefaultValueFactory = _ => Defaults.CheckpointEvery,
            };
        public Option<long> Seed { get; } =
            new("--seed") { Description = "Data order and trace seed.", DefaultValueFactory = _ => 0 };
        public Option<bool> NoPacking { get; } =
            new("--no-packing")
            {
                Description =
                    "Pad every example to the batch's longest instead of packing several per row (same loss, slower).",
            };
        public Option<int> TrainProblems { get; } =
            new("--train-problems")
            {
                Description =
                    "Generated tasks: distinct training problems to cycle through (every one the task has when "
                    + "that is fewer).",
                DefaultValueFactory = _ => 20_000,
            };
        public Option<double> DrawShare { get; } =
            new("--draw-share")
            {
                Description =
                    "Generated tasks: the share of training examples taken as the generator draws problems, "
                    + "repeats included (more of the small problem kinds, e.g. one-digit arithmetic); the rest are "
                    + "the distinct problems (at most 0.9). 1: draws only.",
                DefaultValueFactory = _ => 0,
            };
        public Option<bool> Checkpointing { get; } =
            new("--gradient-checkpointing")
            {
                Description = "Recompute each layer in the backward pass instead of keeping its activations.",
            };
        public Option<string> DType { get; } = CommonOptions.DType();
        public Option<string> Device { get; } = CommonOptions.Device();
        public TaskOptions Task { get; } = new("--eval-data");
        public LoraCliOptions Lora { get; } = new();
        public ToolCliOptions Tools { get; } = new();

        public void AddTo(Command command)
        {
            Option[] all =
            [
                Model,
                Data,
                Out,
                Resume,
                Steps,
                Batch,
                Accum,
                Lr,
                Warmup,
                MaxLen,
                EvalEvery,
                EvalProblems,
                EvalTokens,
                CheckpointEvery,
                Seed,
                NoPacking,
                TrainProblems,
                DrawShare,
                Checkpointing,
                DType,
                Device,
            ];
            foreach (var o in all)
                command.Options.Add(o);
            Task.AddTo(command);
            Lora.AddTo(command);
            Tools.AddTo(command);
        }

        /// <summary>The trainer's options, validated.</summary>
        public SftOptions Build(ParseResult r) =>
            new SftOptions
            {
                Steps = r.GetValue(Steps),
                BatchSize = r.GetValue(Batch),
                GradientAccumulation = r.GetValue(Accum),
                LearningRate = r.GetValue(Lr),
                WarmupSteps = r.GetValue(Warmup),
                MaxSequenceLength = r.GetValue(MaxLen),
                EvalEvery = r.GetValue(EvalEvery),
                CheckpointEvery = r.GetValue(CheckpointEvery),
                Seed = r.GetValue(Seed),
                Packing = !r.GetValue(NoPacking),
                Lora = Lora.Build(r),
                GradientCheckpointing = r.GetValue(Checkpointing),
            }.Validate();
    }
}
