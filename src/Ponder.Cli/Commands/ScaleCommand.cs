using System.CommandLine;
using System.Globalization;
using Ponder.LanguageModels;
using Ponder.Plots;
using Ponder.Scoring;
using Ponder.Tasks;
using Ponder.TestTime;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder scale</c>: accuracy per strategy against test-time compute over thinking budgets and sample
/// counts.</summary>
static class ScaleCommand
{
    public static Command Create(CliOutput io)
    {
        var d = new ScalingOptions();
        var model = CommonOptions.Model();
        var budgets = new Option<string>("--budgets")
        {
            Description = "Thinking budgets (0: answer directly).",
            DefaultValueFactory = _ => string.Join(',', d.Budgets),
        };
        var samples = new Option<string>("--samples")
        {
            Description = "Sample counts N; each budget samples max(N) per problem once.",
            DefaultValueFactory = _ => string.Join(',', d.SampleCounts),
        };
        var scorerDir = new Option<string?>("--scorer", "--verifier")
        {
            Description = "Scorer directory: adds best-of-N (rerank) and weighted majority.",
        };
        var limit = new Option<int?>("--limit")
        {
            Description = "Problems (generated tasks: default 100; datasets: all).",
        };
        var answerTokens = new Option<int>("--answer-tokens")
        {
            Description = "Tokens allowed for the answer after the budget.",
            DefaultValueFactory = _ => d.AnswerTokens,
        };
        var temperature = new Option<double>("--temperature")
        {
            Description = "Sampling temperature.",
            DefaultValueFactory = _ => d.Temperature,
        };
        var topP = new Option<double>("--top-p")
        {
            Description = "Nucleus mass in (0, 1].",
            DefaultValueFactory = _ => d.TopP,
        };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => d.Seed };
        var outDir = new Option<string>("--out")
        {
            Description = "Where scale.md, scale.json and scale.png are written.",
            DefaultValueFactory = _ => "scale",
        };
        var device = CommonOptions.Device();
        var dtype = CommonOptions.DType();
        var task = new TaskOptions();
        var command = new Command(
            "scale",
            "Test-time scaling: accuracy per strategy against thinking budget × samples (o1's second figure)."
        )
        {
            model,
            budgets,
            samples,
            scorerDir,
            limit,
            answerTokens,
            temperature,
            topP,
            seed,
            outDir,
            device,
            dtype,
        };
        task.AddTo(command);
        command.SetAction(r =>
        {
            var options = new ScalingOptions
            {
                Budgets = ParseList(r.GetValue(budgets)!, "--budgets"),
                SampleCounts = ParseList(r.GetValue(samples)!, "--samples"),
                AnswerTokens = r.GetValue(answerTokens),
                Temperature = r.GetValue(temperature),
                TopP = r.GetValue(topP),
                Seed = r.GetValue(seed),
            };
            var spec = task.Spec(r);
            var reasoningTask = spec.Create();
            var problems = reasoningTask.Problems(
                TaskSplit.Test,
                r.GetValue(limit) ?? (spec.Data is null ? 100 : null)
            );
            var devices = CommonOptions.ToDevice(r.GetValue(device)!, r.GetValue(dtype)!);
            string modelDir = r.GetValue(model)!;
            using var lm = LanguageModel.Load(modelDir, devices);
            options.Validate(lm.Config.MaxPositionEmbeddings);
            using var scorerModel = r.GetValue(scorerDir) is { } vdir ? ScorerModel.Load(vdir, lm, devices) : null;
            var sweepScorer = scorerModel is null
                ? null
                : new SweepScorer(rollouts => scorerModel.Score(rollouts), scorerModel.Body.Config);
            int total = options.Budgets.Count * problems.Count * options.MaxSamples;
            var result = CliProgress.Run(
                io,
                $"sampling {options.Budgets.Count} budgets × {problems.Count}×{options.MaxSamples}",
                total,
                p => ScalingSweep.Run(lm, reasoningTask, problems, options, sweepScorer, modelDir, p)
            );
            var files = ScalingReport
                .Write(r.GetValue(outDir)!, result)
                .Append(ScalingPlot.Write(r.GetValue(outDir)!, result));
            io.Out.Write(ScalingReport.Markdown(result));
            io.Error.WriteLine($"wrote {string.Join(", ", files)}");
            return 0;
        });
        return command;
    }

    /// <summary>Comma-separated integers; the option name goes into the error.</summary>
    internal static IReadOnlyList<int> ParseList(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
            throw new PonderException($"{option} is empty: give comma-separated integers, e.g. 1,2,4.");
        return parts
            .Select(p =>
                int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
                    ? v
                    : throw new PonderException($"{option} {p}: not an integer.")
            )
            .ToArray();
    }
}
