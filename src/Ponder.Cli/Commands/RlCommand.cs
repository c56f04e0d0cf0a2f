using System.CommandLine;
using Ponder.Algorithms;
using Ponder.Cli.Sessions;
using Ponder.Reinforcement;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder rl</c>: reinforcement learning on a task's verifiable rewards (GRPO, Dr. GRPO, DAPO,
/// RLOO).</summary>
static class RlCommand
{
    public static Command Create(CliOutput io)
    {
        var cli = new CliOptions();
        var command = new Command("rl", "Reinforcement learning from graded rollouts.");
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        var options = cli.Build(r);
        var tools = cli.Tools.Build(r);
        var fleet = cli.Fleet.Build(r, r.GetValue(cli.Out)!);
        RlTrainer.RefuseToolsOnFleet(tools is not null, fleet is not null);
        CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!);
        ModelFacts
            .Read(r.GetValue(cli.Model)!, r.GetValue(cli.Lora.Base))
            .CheckCompletion("--max-tokens", options.MaxCompletionTokens);
        var spec = cli.Task.Spec(r);
        var reasoningTask = spec.Create();
        var (final, eval, seconds, _, _, _) = RlSession.Run(
            io,
            r.GetValue(cli.Model)!,
            reasoningTask,
            options,
            new RlRunSettings(
                r.GetValue(cli.Out)!,
                r.GetValue(cli.Resume),
                r.GetValue(cli.DType)!,
                r.GetValue(cli.Device)!,
                spec,
                Base: r.GetValue(cli.Lora.Base),
                Fleet: fleet,
                Monitor: r.GetValue(cli.Monitor),
                Tools: tools
            )
        );
        io.Out.WriteLine(
            $"RL done in {seconds / 60:F1} min: held-out pass@1 {eval.GetValueOrDefault("eval/pass@1"):P1}; "
                + $"model in {final}"
        );
        return 0;
    }

    static KlEstimator ParseEstimator(string? name) =>
        name switch
        {
            "k1" => KlEstimator.K1,
            "k3" => KlEstimator.K3,
            var e => throw new PonderException($"--kl-estimator {e}: use k1 or k3."),
        };

    static IsCorrection ParseCorrection(string? name) =>
        name switch
        {
            "none" => Ponder.Algorithms.IsCorrection.None,
            "tis" => Ponder.Algorithms.IsCorrection.Tis,
            "mis" => Ponder.Algorithms.IsCorrection.Mis,
            var c => throw new PonderException($"--is-correction {c}: use none, tis or mis."),
        };

    static IsLevel ParseLevel(string? name) =>
        name switch
        {
            "token" => Ponder.Algorithms.IsLevel.Token,
            "sequence" => Ponder.Algorithms.IsLevel.Sequence,
            var l => throw new PonderException($"--is-level {l}: use token or sequence."),
        };

    static KlPlacement ParsePlacement(string? name) =>
        name switch
        {
            "loss" => KlPlacement.Loss,
            "reward" => KlPlacement.Reward,
            var p => throw new PonderException($"--kl-in {p}: use loss or reward."),
        };

    /// <summary>The options of <c>ponder rl</c>; their defaults are <see cref="RlOptions"/>'s, and the algorithm's
    /// preset fills in what is not given.</summary>
    sealed class CliOptions
    {
        static readonly RlOptions Defaults = new();

        public Option<string> Model { get; } = CommonOptions.Model();
        public Option<string> Out { get; } = new("--out") { Description = "Run folder.", Required = true };
        public Option<bool> Resume { get; } =
            new("--resume") { Description = "Continue the run in --out from its last checkpoint." };
        public Option<string> Algo { get; } =
            new("--algo")
            {
                Description = $"{string.Join(", ", PolicyAlgorithms.Names)}.",
                DefaultValueFactory = _ => "grpo",
            };
        public Option<int> Steps { get; } =
            new("--steps")
            {
                Description = "Optimizer steps, each on a fresh batch of rollouts.",
                DefaultValueFactory = _ => Defaults.Steps,
            };
        public Option<int> Prompts { get; } =
            new("--prompts") { Description = "Problems per step.", DefaultValueFactory = _ => Defaults.PromptsPerStep };
        public Option<int> Group { get; } =
            new("--group-size")
            {
                Description = "Completions per problem (G).",
                DefaultValueFactory = _ => Defaults.GroupSize,
            };
        public Option<int> Updates { get; } =
            new("--updates")
            {
                Description = "Policy updates per batch (μ).",
                DefaultValueFactory = _ => Defaults.UpdatesPerBatch,
            };
        public Option<int> Micro { get; } =
            new("--micro-batch")
            {
                Description = "Rows per forward/backward.",
                DefaultValueFactory = _ => Defaults.MicroBatchSize,
            };
        public Option<double> Lr { get; } =
            new("--lr")
            {
                Description = "Peak learning rate (warm-up, then constant).",
                DefaultValueFactory = _ => Defaults.LearningRate,
            };
        public Option<double> Temperature { get; } =
            new("--temperature")
            {
                Description = "Sampling temperature of rollouts and evaluation (above 0).",
                DefaultValueFactory = _ => Defaults.Temperature,
            };
        public Option<int> MaxTokens { get; } =
            new("--max-tokens")
            {
                Description = "Completion tokens at most.",
                DefaultValueFactory = _ => Defaults.MaxCompletionTokens,
            };
        public Option<double?> EpsLow { get; } = new("--eps-low") { Description = "Lower clip ε (default 0.2)." };
        public Option<double?> EpsHigh { get; } =
            new("--eps-high") { Description = "Upper clip ε (default 0.2; 0.28 for dapo)." };
        public Option<double> Beta { get; } =
            new("--beta") { Description = "KL coefficient (0: no reference model).", DefaultValueFactory = _ => 0 };
        public Option<string> Estimator { get; } =
            new("--kl-estimator") { Description = "k1 or k3.", DefaultValueFactory = _ => "k3" };
        public Option<string> Placement { get; } =
            new("--kl-in") { Description = "loss or reward.", DefaultValueFactory = _ => "loss" };
        public Option<string> IsCorrection { get; } =
            new("--is-correction")
            {
                Description =
                    "Off-policy correction against the rollout engine's log-probs: none, tis (weights "
                    + "truncated at --is-cap) or mis (weights above it zeroed).",
                DefaultValueFactory = _ => "none",
            };
        public Option<double> IsCap { get; } =
            new("--is-cap")
            {
                Description = "Cap of the importance weights.",
                DefaultValueFactory = _ => Defaults.Policy.IsCap,
            };
        public Option<string> IsLevel { get; } =
            new("--is-level")
            {
                Description = "token or sequence: one weight per token or per completion.",
                DefaultValueFactory = _ => "sequence",
            };
        public Option<bool> Checkpointing { get; } =
            new("--gradient-checkpointing")
            {
                Description = "Recompute each layer in the backward pass instead of keeping its activations.",
            };
        public Option<int?> LogitsChunk { get; } =
            new("--logits-chunk")
            {
                Description = "Positions whose logits are made at once in the update (default: 256 MiB of them).",
            };
        public Option<double> Format { get; } =
            new("--format-reward")
            {
                Description = "Reward added for a well-formed completion (thinking closed, then an answer).",
                DefaultValueFactory = _ => Defaults.FormatReward,
            };
        public Option<bool> Partial { get; } =
            new("--partial-reward")
            {
                Description = "Reward the grade's partial credit (code: the share of tests passed), not 1 or 0.",
            };
        public Option<string?> Monitor { get; } =
            new("--monitor")
            {
                Description =
                    "CoT monitor rules file, as for ponder serve: every rollout's reasoning is reviewed and "
                    + "monitor/flag_rate logged each step.",
            };
        public Option<double> MonitorPenalty { get; } =
            new("--monitor-penalty")
            {
                Description =
                    "Reward taken from a rollout the monitor flags or blocks (default 0: off, since training "
                    + "against the monitor teaches the model to hide its intent from it).",
                DefaultValueFactory = _ => Defaults.MonitorPenalty,
            };
        public Option<int?> Overlong { get; } =
            new("--overlong-window") { Description = "DAPO soft overlong window in tokens (0: off)." };
        public Option<bool?> Dynamic { get; } =
            new("--dynamic-sampling")
            {
                Description = "Drop groups with all-equal rewards and sample more (default on for dapo).",
            };
        public Option<bool> KeepZero { get; } =
            new("--keep-zero-advantage")
            {
                Description =
                    "Run completions with advantage 0 through the update too (by default they are skipped when "
                    + "--beta is 0: same update, faster).",
            };
        public Option<int?> TrainProblems { get; } =
            new("--train-problems")
            {
                Description =
                    "Distinct training problems to draw prompts from (default: steps × prompts, × sampling "
                    + "rounds with dynamic sampling, at most 20,000).",
            };
        public Option<int?> EvalEvery { get; } =
            new("--eval-every")
            {
                Description =
                    "Held-out evaluation every N steps, besides before the first and after the last (0: "
                    + $"only those; default {RlOptions.DefaultEvalEvery} unless --eval-points is set).",
            };
        public Option<int?> EvalPoints { get; } =
            new("--eval-points")
            {
                Description =
                    "Held-out evaluations in all, at steps spaced evenly in log(step) from step 0 (the starting "
                    + "model) to the last, for the train-time compute plot; instead of --eval-every.",
            };
        public Option<int> EvalProblems { get; } =
            new("--eval-problems")
            {
                Description = "Held-out problems per evaluation.",
                DefaultValueFactory = _ => Defaults.EvalProblems,
            };
        public Option<int> EvalSamples { get; } =
            new("--eval-samples")
            {
                Description = "Samples per held-out problem (pass@1 is their mean).",
                DefaultValueFactory = _ => Defaults.EvalSamples,
            };
        public Option<int> CheckpointEvery { get; } =
            new("--checkpoint-every")
            {
                Description = "Checkpoint every N steps (and at the end).",
                DefaultValueFactory = _ => Defaults.CheckpointEvery,
            };
        public Option<long> Seed { get; } =
            new("--seed") { Description = "Seed of the prompt order and sampling.", DefaultValueFactory = _ => 0 };
        public Option<string> DType { get; } = CommonOptions.DType();
        public Option<string> Device { get; } = CommonOptions.Device();
        public TaskOptions Task { get; } = new();
        public LoraCliOptions Lora { get; } = new();
        public FleetCliOptions Fleet { get; } = new();
        public ToolCliOptions Tools { get; } = new();
        public Option<int> SyncEvery { get; } =
            new("--sync-every")
            {
                Description = "With --rollout-endpoints: push the weights to the servers every k steps.",
                DefaultValueFactory = _ => Defaults.SyncEvery,
            };

        public Option<int> MaxStaleness { get; } =
            new("--max-staleness")
            {
                Description =
                    "With --rollout-endpoints: above 0, sample the next step on the servers while this one "
                    + "updates (asynchronous RL; rollouts up to this many steps old).",
                DefaultValueFactory = _ => Defaults.MaxStaleness,
            };

        public void AddTo(Command command)
        {
            Option[] all =
            [
                Model,
                Out,
                Resume,
                Algo,
                Steps,
                Prompts,
                Group,
                Updates,
                Micro,
                Lr,
                Temperature,
                MaxTokens,
                EpsLow,
                EpsHigh,
                Beta,
                Estimator,
                Placement,
                IsCorrection,
                IsCap,
                IsLevel,
                Checkpointing,
                LogitsChunk,
                Format,
                Partial,
                Monitor,
                MonitorPenalty,
                Overlong,
                Dynamic,
                KeepZero,
                TrainProblems,
                EvalEvery,
                EvalPoints,
                EvalProblems,
                EvalSamples,
                CheckpointEvery,
                Seed,
                DType,
                Device,
                SyncEvery,
                MaxStaleness,
            ];
            foreach (var o in all)
                command.Options.Add(o);
            Task.AddTo(command);
            Lora.AddTo(command);
            Fleet.AddTo(command);
            Tools.AddTo(command);
        }

        /// <summary>The algorithm's preset with every given option applied, validated.</summary>
        public RlOptions Build(ParseResult r)
        {
            var preset = RlOptions.For(r.GetValue(Algo)!);
            return (
                preset with
                {
                    Steps = r.GetValue(Steps),
                    PromptsPerStep = r.GetValue(Prompts),
                    GroupSize = r.GetValue(Group),
                    UpdatesPerBatch = r.GetValue(Updates),
                    MicroBatchSize = r.GetValue(Micro),
                    LearningRate = r.GetValue(Lr),
                    Temperature = r.GetValue(Temperature),
                    MaxCompletionTokens = r.GetValue(MaxTokens),
                    FormatReward = r.GetValue(Format),
                    PartialReward = r.GetValue(Partial),
                    MonitorPenalty = r.GetValue(MonitorPenalty),
                    OverlongWindow = r.GetValue(Overlong) ?? preset.OverlongWindow,
                    DynamicSampling = r.GetValue(Dynamic) ?? preset.DynamicSampling,
                    SkipZeroAdvantage = !r.GetValue(KeepZero),
                    TrainProblems = r.GetValue(TrainProblems),
                    EvalEvery = r.GetValue(EvalEvery),
                    EvalPoints = r.GetValue(EvalPoints),
                    EvalProblems = r.GetValue(EvalProblems),
                    EvalSamples = r.GetValue(EvalSamples),
                    CheckpointEvery = r.GetValue(CheckpointEvery),
                    Seed = r.GetValue(Seed),
                    Lora = Lora.Build(r),
                    GradientCheckpointing = r.GetValue(Checkpointing),
                    LogitsChunkTokens = r.GetValue(LogitsChunk),
                    SyncEvery = r.GetValue(SyncEvery),
                    MaxStaleness = r.GetValue(MaxStaleness),
                    Policy = preset.Policy with
                    {
                        EpsLow = r.GetValue(EpsLow) ?? preset.Policy.EpsLow,
                        EpsHigh = r.GetValue(EpsHigh) ?? preset.Policy.EpsHigh,
                        Beta = r.GetValue(Beta),
                        Estimator = ParseEstimator(r.GetValue(Estimator)),
                        Placement = ParsePlacement(r.GetValue(Placement)),
                        Correction = ParseCorrection(r.GetValue(IsCorrection)),
                        IsCap = r.GetValue(IsCap),
                        IsLevel = ParseLevel(r.GetValue(IsLevel)),
                    },
                }
            )
                .Validate()
                .ValidateMonitor(r.GetValue(Monitor) is not null);
        }
    }
}
