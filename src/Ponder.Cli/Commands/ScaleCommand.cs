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
        var cli = new CliOptions();
        var command = new Command(
            "scale",
            "Test-time scaling: accuracy per strategy against thinking budget × samples (o1's second figure)."
        );
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        var options = cli.Build(r).Validate();
        int? limit = r.GetValue(cli.Limit);
        if (limit < 1)
            throw new PonderException($"--limit {limit}: must be at least 1.");
        var devices = CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!);
        string modelDir = r.GetValue(cli.Model)!;
        options.Validate(ModelFacts.Read(modelDir).Context);
        if (r.GetValue(cli.Scorer) is { } scorerDir)
            ScorerInfo.Load(scorerDir);
        var spec = cli.Task.Spec(r);
        var reasoningTask = spec.Create();
        var problems = reasoningTask.Problems(TaskSplit.Test, limit ?? (spec.Data is null ? 100 : null));
        using var lm = LanguageModel.Load(modelDir, devices);
        string? dir = r.GetValue(cli.Scorer);
        bool process = dir is not null && ScorerInfo.Load(dir).Kind == ProcessScorer.Kind;
        var aggregation = r.GetValue(cli.Aggregate) is { } a ? StepAggregations.Parse(a) : (StepAggregation?)null;
        if (aggregation is not null && !process)
        {
            throw new PonderException(
                "--aggregate applies to a process scorer's step scores: pass --scorer DIR of one."
            );
        }
        using var prm = process ? ProcessScorer.Load(dir!, lm, devices, aggregation) : null;
        using var scorerModel = dir is not null && !process ? ScorerModel.Load(dir, lm, devices) : null;
        var sweepScorer =
            prm is not null ? SweepScorer.Of(prm)
            : scorerModel is null ? null
            : new SweepScorer(rollouts => scorerModel.Score(rollouts), scorerModel.Body.Config);
        int total = options.Budgets.Count * problems.Count * options.MaxSamples;
        var result = CliProgress.Run(
            io,
            $"sampling {options.Budgets.Count} budgets × {problems.Count}×{options.MaxSamples}",
            total,
            p => ScalingSweep.Run(lm, reasoningTask, problems, options, sweepScorer, modelDir, p)
        );
        string outDir = r.GetValue(cli.Out)!;
        var files = ScalingReport.Write(outDir, result).Append(ScalingPlot.Write(outDir, result));
        io.Out.Write(ScalingReport.Markdown(result));
        io.Error.WriteLine($"wrote {string.Join(", ", files)}");
        return 0;
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

    sealed class CliOptions
    {
        static readonly ScalingOptions Defaults = new();

        public Option<string> Model { get; } = CommonOptions.Model();
        public Option<string> Budgets { get; } =
            new("--budgets")
            {
                Description = "Thinking budgets (0: answer directly).",
                DefaultValueFactory = _ => string.Join(',', Defaults.Budgets),
            };
        public Option<string> Samples { get; } =
            new("--samples")
            {
                Description = "Sample counts N; each budget samples max(N) per problem once.",
                DefaultValueFactory = _ => string.Join(',', Defaults.SampleCounts),
            };
        public Option<string?> Scorer { get; } =
            new("--scorer", "--verifier")
            {
                Description =
                    "Scorer directory: adds best-of-N (rerank) and weighted majority; a process scorer (scorer train "
                    + "--process) also guides beam and dvts.",
            };
        public Option<string> Strategies { get; } =
            new("--strategies")
            {
                Description =
                    "Strategies to measure: single, majority, best-of-n, weighted, deepconf, beam, dvts (best-of-n "
                    + "and weighted need --scorer; beam and dvts a process scorer).",
                DefaultValueFactory = _ => "single,majority,best-of-n,weighted",
            };
        public Option<int> BeamWidth { get; } =
            new("--beam-width")
            {
                Description = "Beam and dvts: expansions per kept path (M); they run at each N that is a multiple.",
                DefaultValueFactory = _ => Defaults.BeamWidth,
            };
        public Option<int?> SearchBudget { get; } =
            new("--search-budget")
            {
                Description = "The thinking budget beam and dvts search at (default: the largest).",
            };
        public Option<string?> Aggregate { get; } =
            new("--aggregate")
            {
                Description = "A process scorer's solution score: last, min or prod (default: the scorer's own).",
            };
        public Option<int?> Limit { get; } =
            new("--limit") { Description = "Problems (generated tasks: default 100; datasets: all)." };
        public Option<int> AnswerTokens { get; } =
            new("--answer-tokens")
            {
                Description = "Tokens allowed for the answer after the budget.",
                DefaultValueFactory = _ => Defaults.AnswerTokens,
            };
        public Option<double> Temperature { get; } =
            new("--temperature")
            {
                Description = "Sampling temperature.",
                DefaultValueFactory = _ => Defaults.Temperature,
            };
        public Option<double> TopP { get; } =
            new("--top-p") { Description = "Nucleus mass in (0, 1].", DefaultValueFactory = _ => Defaults.TopP };
        public Option<long> Seed { get; } =
            new("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => Defaults.Seed };
        public Option<string> Out { get; } =
            new("--out")
            {
                Description = "Where scale.md, scale.json and scale.png are written.",
                DefaultValueFactory = _ => "scale",
            };
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<string> DType { get; } = CommonOptions.DType();
        public TaskOptions Task { get; } = new();

        public void AddTo(Command command)
        {
            Option[] all =
            [
                Model,
                Budgets,
                Samples,
                Scorer,
                Strategies,
                BeamWidth,
                SearchBudget,
                Aggregate,
                Limit,
                AnswerTokens,
                Temperature,
                TopP,
                Seed,
                Out,
                Device,
                DType,
            ];
            foreach (var o in all)
                command.Options.Add(o);
            Task.AddTo(command);
        }

        /// <summary>The sweep's settings; checked against the model's context once it is loaded.</summary>
        public ScalingOptions Build(ParseResult r) =>
            new()
            {
                Budgets = ParseList(r.GetValue(Budgets)!, "--budgets"),
                SampleCounts = ParseList(r.GetValue(Samples)!, "--samples"),
                AnswerTokens = r.GetValue(AnswerTokens),
                Temperature = r.GetValue(Temperature),
                TopP = r.GetValue(TopP),
                Seed = r.GetValue(Seed),
                Strategies =
                [
                    .. r.GetValue(Strategies)!
                        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(TestTime.Strategies.Parse)
                        .Distinct(),
                ],
                BeamWidth = r.GetValue(BeamWidth),
                SearchBudget = r.GetValue(SearchBudget),
            };
    }
}
