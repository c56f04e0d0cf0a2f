using System.CommandLine;
using Ponder.Clients;
using Ponder.Evaluation;
using Ponder.LanguageModels;
using Ponder.Rollouts;
using Ponder.Runs;
using Ponder.Scoring;
using Ponder.Tasks;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder eval</c>: sample N completions per problem (local model or OpenAI-compatible endpoint), grade
/// them with the task's grader, report pass@1, pass@k, cons@k and lengths; with <c>--scorer</c>, also rerank@k and
/// weighted@k.</summary>
static class EvalCommand
{
    public static Command Create(CliOutput io)
    {
        var cli = new CliOptions();
        var command = new Command("eval", "Evaluate a model on a task: pass@1, pass@k, cons@k.");
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        var spec = cli.Task.Spec(r);
        var reasoningTask = spec.Create();
        int? count = r.GetValue(cli.Limit) ?? (spec.Data is null ? 100 : null);
        var problems = reasoningTask.Problems(TaskSplit.Test, count);
        if (problems.Count == 0)
            throw new PonderException($"--task {spec.Name}: no problems to evaluate.");
        string? local = r.GetValue(cli.Model),
            url = r.GetValue(cli.Endpoint);
        if ((local is null) == (url is null))
            throw new PonderException("give exactly one of --model DIR or --endpoint URL.");

        if (url is not null && r.GetValue(cli.Scorer) is not null)
        {
            throw new PonderException(
                "--scorer scores the policy's own token ids: use it with a local --model, not --endpoint."
            );
        }

        var (rollouts, scores) = Sample(io, cli, r, reasoningTask, problems, local, url);
        var graded = rollouts
            .Select(
                (x, i) =>
                    new GradedSample(
                        x.Problem.Id,
                        x.Completion.SampleIndex,
                        x.Grade.Canonical,
                        x.Grade.Correct,
                        scores?[i]
                    )
            )
            .ToList();
        int n = rollouts.Max(x => x.Completion.SampleIndex) + 1;
        var kList = r.GetValue(cli.Ks) is { } text ? ScoreCommand.ParseKs(text) : Metrics.DefaultKs(n);
        var report = Metrics.Compute(graded, kList);
        var headline = Headline(report, rollouts, reasoningTask);
        var config = new
        {
            task = spec,
            model = local ?? url,
            samples = n,
            problems = problems.Count,
        };
        Record(io, r.GetValue(cli.Runs)!, config, rollouts, headline);
        Print(io, report, headline, r.GetValue(cli.Json));
        return 0;
    }

    /// <summary>Samples from the local model or the endpoint, writing each sample to <c>--out</c> when given; the
    /// scores are null without <c>--scorer</c>.</summary>
    static (IReadOnlyList<Rollout> Rollouts, double[]? Scores) Sample(
        CliOutput io,
        CliOptions cli,
        ParseResult r,
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        string? local,
        string? url
    )
    {
        var writer = r.GetValue(cli.Out) is { } path ? new SampleWriter(path) : null;
        try
        {
            return local is not null
                ? SampleLocal(io, cli, r, task, problems, local, writer)
                : (SampleEndpoint(cli, r, task, problems, url!, writer), null);
        }
        finally
        {
            writer?.Dispose();
        }
    }

    static (IReadOnlyList<Rollout> Rollouts, double[]? Scores) SampleLocal(
        CliOutput io,
        CliOptions cli,
        ParseResult r,
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        string local,
        SampleWriter? writer
    )
    {
        using var lm = LanguageModel.Load(
            local,
            CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!)
        );
        var options = cli.Sampling.Build(r, lm);
        if (r.GetValue(cli.Scorer) is { } checkDir)
            ScorerInfo.Load(checkDir).CheckCompatible(lm, checkDir); // refuse before sampling
        var rollouts = CliProgress.Run(
            io,
            $"sampling {problems.Count}×{options.N}",
            problems.Count * options.N,
            p => LocalRollouts.Run(lm, task, problems, options, p)
        );
        double[]? scores = null;
        if (r.GetValue(cli.Scorer) is { } scorerDir)
        {
            using var scorer = ScorerModel.Load(
                scorerDir,
                lm,
                CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!)
            );
            scores = scorer.Score(rollouts);
        }
        for (int i = 0; i < rollouts.Count; i++)
            writer?.Write(rollouts[i], scores?[i]);
        return (rollouts, scores);
    }

    static IReadOnlyList<Rollout> SampleEndpoint(
        CliOptions cli,
        ParseResult r,
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        string url,
        SampleWriter? writer
    )
    {
        var options = cli.Sampling.Build(r, null);
        string name =
            r.GetValue(cli.ModelName)
            ?? throw new PonderException("--endpoint needs --model-name (the served model's name).");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new PonderException($"--endpoint {url}: not an absolute URL.");
        var client = new EndpointRollouts(new EndpointOptions(uri, name, r.GetValue(cli.ApiKey)!));
        return client.RunAsync(task, problems, options, x => writer?.Write(x)).GetAwaiter().GetResult();
    }

    /// <summary>The eval's run folder: its headline numbers as metrics at step 0 and as headlines, and every
    /// sample.</summary>
    static void Record(
        CliOutput io,
        string runsDir,
        object config,
        IReadOnlyList<Rollout> rollouts,
        Dictionary<string, double> headline
    )
    {
        using var store = RunStore.Create(runsDir, "eval", null, config);
        store.LogMetrics(0, headline);
        store.LogSamples(0, rollouts.Select(SampleWriter.Record));
        foreach (var (k, v) in headline)
            store.SetHeadline(k, v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture));
        io.Error.WriteLine($"run: {store.Dir}");
    }

    internal static Dictionary<string, double> Headline(
        MetricsReport report,
        IReadOnlyList<Rollout> rollouts,
        IReasoningTask task
    )
    {
        var headline = report.Named().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (k, v) in Sessions.HeldOut.Stats(task, rollouts, ""))
            headline[k] = v;
        headline["grader_errors"] = rollouts.Count(x => x.Grade.Error is not null);
        return headline;
    }

    static void Print(CliOutput io, MetricsReport report, Dictionary<string, double> headline, bool json)
    {
        foreach (var w in report.Warnings)
            io.Error.WriteLine($"warning: {w}");
        if (json)
        {
            var line = new Dictionary<string, object>(headline.ToDictionary(kv => kv.Key, kv => (object)kv.Value))
            {
                ["problems"] = report.Problems,
                ["samples"] = report.Samples,
            };
            io.Out.WriteLine(CliJson.Line(line));
            return;
        }
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (k, v) in headline)
        {
            table.AddRow(
                k,
                v.ToString(
                    k.Contains('@', StringComparison.Ordinal) || k is "format_rate" or "step_accuracy" ? "P1" : "F1",
                    System.Globalization.CultureInfo.InvariantCulture
                )
            );
        }

        table.AddRow("problems × samples", $"{report.Problems} × {report.Samples / Math.Max(1, report.Problems)}");
        io.Console.Write(table);
    }

    sealed class CliOptions
    {
        public Option<string?> Model { get; } =
            new("--model") { Description = "Local model directory (or use --endpoint)." };
        public Option<string?> Endpoint { get; } =
            new("--endpoint") { Description = "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1." };
        public Option<string> ApiKey { get; } =
            new("--api-key")
            {
                Description = "API key for --endpoint.",
                DefaultValueFactory = _ => Environment.GetEnvironmentVariable("OPENAI_API_KEY") ?? "none",
            };
        public Option<string?> ModelName { get; } = new("--model-name") { Description = "Model name at the endpoint." };
        public Option<int?> Limit { get; } =
            new("--limit") { Description = "Problems to evaluate (generated tasks: default 100; datasets: all)." };
        public Option<string?> Ks { get; } =
            new("--k") { Description = "k values, e.g. 1,8,64 (each at most --samples). Default: 1 and powers of 2." };
        public Option<string?> Out { get; } = new("--out") { Description = "Write one JSON line per sample here." };
        public Option<string> Runs { get; } =
            new("--runs-dir") { Description = "Where the run folder is written.", DefaultValueFactory = _ => "runs" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print the metrics as one JSON object." };
        public Option<string?> Scorer { get; } =
            new("--scorer", "--verifier")
            {
                Description =
                    "Scorer directory (ponder scorer train): scores every sample, adds rerank@k and weighted@k.",
            };
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<string> DType { get; } = CommonOptions.DType();
        public TaskOptions Task { get; } = new();
        public SamplingCliOptions Sampling { get; } = new();

        public void AddTo(Command command)
        {
            Option[] all = [Model, Endpoint, ApiKey, ModelName, Limit, Ks, Out, Runs, Json, Scorer, Device, DType];
            foreach (var o in all)
                command.Options.Add(o);
            Task.AddTo(command);
            Sampling.AddTo(command);
        }
    }
}
