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
        var d = new RlOptions();
        var model = CommonOptions.Model();
        var outDir = new Option<string>("--out") { Description = "Run folder.", Required = true };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue the run in --out from its last checkpoint.",
        };
        var algo = new Option<string>("--algo")
        {
            Description = $"{string.Join(", ", PolicyAlgorithms.Names)}.",
            DefaultValueFactory = _ => "grpo",
        };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => d.Steps };
        var prompts = new Option<int>("--prompts")
        {
            Description = "Problems per step.",
            DefaultValueFactory = _ => d.PromptsPerStep,
        };
        var group = new Option<int>("--group-size")
        {
            Description = "Completions per problem (G).",
            DefaultValueFactory = _ => d.GroupSize,
        };
        var updates = new Option<int>("--updates")
        {
            Description = "Policy updates per batch (μ).",
            DefaultValueFactory = _ => d.UpdatesPerBatch,
        };
        var micro = new Option<int>("--micro-batch")
        {
            Description = "Rows per forward/backward.",
            DefaultValueFactory = _ => d.MicroBatchSize,
        };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => d.LearningRate };
        var temperature = new Option<double>("--temperature") { DefaultValueFactory = _ => d.Temperature };
        var maxTokens = new Option<int>("--max-tokens")
        {
            Description = "Completion tokens at most.",
            DefaultValueFactory = _ => d.MaxCompletionTokens,
        };
        var epsLow = new Option<double?>("--eps-low") { Description = "Lower clip ε (default 0.2)." };
        var epsHigh = new Option<double?>("--eps-high") { Description = "Upper clip ε (default 0.2; 0.28 for dapo)." };
        var beta = new Option<double>("--beta")
        {
            Description = "KL coefficient (0: no reference model).",
            DefaultValueFactory = _ => 0,
        };
        var estimator = new Option<string>("--kl-estimator")
        {
            Description = "k1 or k3.",
            DefaultValueFactory = _ => "k3",
        };
        var placement = new Option<string>("--kl-in")
        {
            Description = "loss or reward.",
            DefaultValueFactory = _ => "loss",
        };
        var format = new Option<double>("--format-reward") { DefaultValueFactory = _ => d.FormatReward };
        var overlong = new Option<int?>("--overlong-window")
        {
            Description = "DAPO soft overlong window in tokens (0: off).",
        };
        var dynamic = new Option<bool?>("--dynamic-sampling")
        {
            Description = "Drop groups with all-equal rewards and sample more (default on for dapo).",
        };
        var keepZero = new Option<bool>("--keep-zero-advantage")
        {
            Description =
                "Run completions with advantage 0 through the update too (by default they are skipped when "
                + "--beta is 0: same update, faster).",
        };
        var trainProblems = new Option<int?>("--train-problems")
        {
            Description =
                "Distinct training problems to draw prompts from (default: steps × prompts, × sampling "
                + "rounds with dynamic sampling, at most 20,000).",
        };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => d.EvalEvery };
        var evalProblems = new Option<int>("--eval-problems") { DefaultValueFactory = _ => d.EvalProblems };
        var evalSamples = new Option<int>("--eval-samples") { DefaultValueFactory = _ => d.EvalSamples };
        var checkpointEvery = new Option<int>("--checkpoint-every") { DefaultValueFactory = _ => d.CheckpointEvery };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 0 };
        var dtype = CommonOptions.DType();
        var device = CommonOptions.Device();
        var task = new TaskOptions();
        var command = new Command("rl", "Reinforcement learning from graded rollouts.")
        {
            model,
            outDir,
            resume,
            algo,
            steps,
            prompts,
            group,
            updates,
            micro,
            lr,
            temperature,
            maxTokens,
            epsLow,
            epsHigh,
            beta,
            estimator,
            placement,
            format,
            overlong,
            dynamic,
            keepZero,
            trainProblems,
            evalEvery,
            evalProblems,
            evalSamples,
            checkpointEvery,
            seed,
            dtype,
            device,
        };
        task.AddTo(command);
        command.SetAction(r =>
        {
            var preset = RlOptions.For(r.GetValue(algo)!);
            var options = (
                preset with
                {
                    Steps = r.GetValue(steps),
                    PromptsPerStep = r.GetValue(prompts),
                    GroupSize = r.GetValue(group),
                    UpdatesPerBatch = r.GetValue(updates),
                    MicroBatchSize = r.GetValue(micro),
                    LearningRate = r.GetValue(lr),
                    Temperature = r.GetValue(temperature),
                    MaxCompletionTokens = r.GetValue(maxTokens),
                    FormatReward = r.GetValue(format),
                    OverlongWindow = r.GetValue(overlong) ?? preset.OverlongWindow,
                    DynamicSampling = r.GetValue(dynamic) ?? preset.DynamicSampling,
                    SkipZeroAdvantage = !r.GetValue(keepZero),
                    TrainProblems = r.GetValue(trainProblems),
                    EvalEvery = r.GetValue(evalEvery),
                    EvalProblems = r.GetValue(evalProblems),
                    EvalSamples = r.GetValue(evalSamples),
                    CheckpointEvery = r.GetValue(checkpointEvery),
                    Seed = r.GetValue(seed),
                    Policy = preset.Policy with
                    {
                        EpsLow = r.GetValue(epsLow) ?? preset.Policy.EpsLow,
                        EpsHigh = r.GetValue(epsHigh) ?? preset.Policy.EpsHigh,
                        Beta = r.GetValue(beta),
                        Estimator = r.GetValue(estimator) switch
                        {
                            "k1" => KlEstimator.K1,
                            "k3" => KlEstimator.K3,
                            var e => throw new PonderException($"--kl-estimator {e}: use k1 or k3."),
                        },
                        Placement = r.GetValue(placement) switch
                        {
                            "loss" => KlPlacement.Loss,
                            "reward" => KlPlacement.Reward,
                            var p => throw new PonderException($"--kl-in {p}: use loss or reward."),
                        },
                    },
                }
            ).Validate();
            var spec = task.Spec(r);
            var reasoningTask = spec.Create();
            var (final, eval, seconds, _) = RlSession.Run(
                io,
                r.GetValue(model)!,
                reasoningTask,
                options,
                new RlRunSettings(
                    r.GetValue(outDir)!,
                    r.GetValue(resume),
                    r.GetValue(dtype)!,
                    r.GetValue(device)!,
                    spec
                )
            );
            io.Out.WriteLine(
                $"RL done in {seconds / 60:F1} min: held-out pass@1 {eval.GetValueOrDefault("eval/pass@1"):P1}; "
                    + $"model in {final}"
            );
            return 0;
        });
        return command;
    }
}
