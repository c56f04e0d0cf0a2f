using System.CommandLine;
using Ponder.Clients;
using Ponder.Evaluation;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Rollouts;
using Ponder.Runs;
using Ponder.Runtime;
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

    /// <summary>What an evaluation does, every option checked: nothing is loaded, sampled or written before it is
    /// built.</summary>
    sealed record Plan(
        TaskSpec Spec,
        IReasoningTask Task,
        int? Limit,
        string? Local,
        EndpointOptions? Endpoint,
        SamplingOptions Sampling,
        IReadOnlyList<int>? Ks,
        string? Scorer,
        DeviceOptions Device,
        ToolSettings? Tools
    );

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        var plan = cli.Check(r);
        var problems = plan.Task.Problems(TaskSplit.Test, plan.Limit);
        if (plan.Task is Ponder.Tasks.Datasets.IDatasetTask { SkippedLines: > 0 } dataset)
        {
            io.Error.WriteLine(
                $"warning: {dataset.SkippedLines} lines of {dataset.Options.Path} skipped (malformed, or tests of a "
                    + "kind the task does not run)"
            );
        }
        if (problems.Count == 0)
            throw new PonderException($"--task {plan.Spec.Name}: no problems to evaluate.");
        var (rollouts, scores) = Sample(io, r.GetValue(cli.Out), plan, problems);
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
        var report = Metrics.Compute(graded, plan.Ks ?? Metrics.DefaultKs(n));
        var headline = Headline(report, rollouts, plan.Task, plan.Tools is not null);
        var config = new
        {
            task = plan.Spec,
            model = plan.Local ?? plan.Endpoint!.Endpoint.OriginalString,
            samples = n,
            problems = problems.Count,
        };
        Record(io, r.GetValue(cli.Runs)!, config, rollouts, headline);
        Print(io, report, headline, r.GetValue(cli.Json));
        return 0;
    }

    /// <summary>Samples from the local model or the endpoint, writing each sample to <paramref name="outFile"/> when
    /// given; the scores are null without a scorer.</summary>
    static (IReadOnlyList<Rollout> Rollouts, double[]? Scores) Sample(
        CliOutput io,
        string? outFile,
        Plan plan,
        IReadOnlyList<Problem> problems
    )
    {
        var writer = outFile is not null ? new SampleWriter(outFile, plan.Tools is not null) : null;
        try
        {
            return plan.Local is not null
                ? SampleLocal(io, plan, problems, writer)
                : (SampleEndpoint(plan, problems, writer), null);
        }
        finally
        {
            writer?.Dispose();
        }
    }

    static (IReadOnlyList<Rollout> Rollouts, double[]? Scores) SampleLocal(
        CliOutput io,
        Plan plan,
        IReadOnlyList<Problem> problems,
        SampleWriter? writer
    )
    {
        using var lm = LanguageModel.Load(plan.Local!, plan.Device);
        if (plan.Scorer is { } checkDir)
            ScorerInfo.Load(checkDir).CheckCompatible(lm, checkDir); // refuse before sampling
        var options = plan.Sampling;
        using var tools = plan.Tools?.Open(plan.Task);
        var rollouts = CliProgress.Run(
            io,
            $"sampling {problems.Count}×{options.N}",
            problems.Count * options.N,
            p =>
                tools is null
                    ? LocalRollouts.Run(lm, plan.Task, problems, options, p)
                    : MultiTurnRollouts.Run(lm, plan.Task, tools.Environment, problems, options, tools.Turns, p)
        );
        double[]? scores = null;
        if (plan.Scorer is { } scorerDir)
        {
            if (ScorerInfo.Load(scorerDir).Kind == ProcessScorer.Kind)
            {
                using var prm = ProcessScorer.Load(scorerDir, lm, plan.Device);
                scores = prm.Score(rollouts);
            }
            else
            {
                using var scorer = ScorerModel.Load(scorerDir, lm, plan.Device);
                scores = scorer.Score(rollouts);
            }
        }
        for (int i = 0; i < rollouts.Count; i++)
            writer?.Write(rollouts[i], scores?[i]);
        return (rollouts, scores);
    }

    static IReadOnlyList<Rollout> SampleEndpoint(Plan plan, IReadOnlyList<Problem> problems, SampleWriter? writer)
    {
        var client = new EndpointRollouts(plan.Endpoint!);
        if (plan.Tools is null)
            return client.RunAsync(plan.Task, problems, plan.Sampling, x => writer?.Write(x)).GetAwaiter().GetResult();
        using var tools = plan.Tools.Open(plan.Task);
        return client
            .RunAsync(tools.Environment, tools.Turns, problems, plan.Sampling, x => writer?.Write(x))
            .GetAwaiter()
            .GetResult();
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

    /// <param name="tools">The samples are multi-turn (<c>--tools</c>): the mean turns and the tool-call rate too.
    /// </param>
    internal static Dictionary<string, double> Headline(
        MetricsReport report,
        IReadOnlyList<Rollout> rollouts,
        IReasoningTask task,
        bool tools = false
    )
    {
        var headline = report.Named().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (k, v) in Sessions.HeldOut.Stats(task, rollouts, ""))
            headline[k] = v;
        headline["grader_errors"] = rollouts.Count(x => x.Grade.Error is not null);
        // Tasks with verdicts (code): the share of all samples per verdict ("none": an answer the grader never saw,
        // such as one whose reasoning did not close) and the mean share of tests passed.
        if (rollouts.Any(x => x.Grade.Verdict is not null))
        {
            var groups = rollouts.GroupBy(x => x.Grade.Verdict ?? "none").OrderBy(g => g.Key, StringComparer.Ordinal);
            foreach (var group in groups)
                headline["verdict/" + group.Key.Replace(' ', '_')] = (double)group.Count() / rollouts.Count;
        }
        if (rollouts.Any(x => x.Grade.Score is not null))
            headline["tests_passed"] = rollouts.Average(x => x.Grade.Score ?? 0);
        if (tools)
        {
            foreach (var (k, v) in Sessions.HeldOut.ToolStats(rollouts, ""))
                headline[k] = v;
        }
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
                    k.Contains('@', StringComparison.Ordinal)
                    || k.StartsWith("verdict/", StringComparison.Ordinal)
                    || k is "format_rate" or "step_accuracy" or "tests_passed"
                        ? "P1"
                        : "F1",
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
        public Option<string?> Out { get; } =
            new("--out") { Description = "Write one JSON line per sample here (an existing file needs --force)." };
        public Option<bool> Force { get; } = new("--force") { Description = "Overwrite the --out file if it exists." };
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
        public ToolCliOptions Tools { get; } = new();

        public void AddTo(Command command)
        {
            Option[] all =
            [
                Model,
                Endpoint,
                ApiKey,
                ModelName,
                Limit,
                Ks,
                Out,
                Force,
                Runs,
                Json,
                Scorer,
                Device,
                DType,
            ];
            foreach (var o in all)
                command.Options.Add(o);
            Task.AddTo(command);
            Sampling.AddTo(command);
            Tools.AddTo(command);
        }

        /// <summary>Every option checked, in the order that needs least: the options alone, then the files they
        /// name (the model's config, the scorer's), never the weights.</summary>
        public Plan Check(ParseResult r)
        {
            var spec = Task.Spec(r);
            var task = spec.Create();
            int? limit = r.GetValue(Limit);
            if (limit < 1)
                throw new PonderException($"--limit {limit}: must be at least 1.");
            string? local = r.GetValue(Model),
                url = r.GetValue(Endpoint);
            if ((local is null) == (url is null))
                throw new PonderException("give exactly one of --model DIR or --endpoint URL.");
            string? scorer = r.GetValue(Scorer);
            if (url is not null && scorer is not null)
            {
                throw new PonderException(
                    "--scorer scores the policy's own token ids: use it with a local --model, not --endpoint."
                );
            }

            var endpoint = url is null ? null : EndpointFor(r, url);
            var ks = r.GetValue(Ks) is { } text ? ScoreCommand.ParseKs(text) : null;
            int samples = r.GetValue(Sampling.Samples);
            if (ks is not null && ks.Max() > samples)
            {
                throw new PonderException(
                    $"--k {ks.First(k => k > samples)} is larger than --samples {samples}; use k up to {samples}."
                );
            }

            var tools = Tools.Build(r);
            if (tools is not null && scorer is not null)
            {
                throw new PonderException(
                    "--scorer scores one-turn completions; drop it with --tools (multi-turn samples)."
                );
            }

            CheckFiles(r);
            var device = CommonOptions.ToDevice(r.GetValue(Device)!, r.GetValue(DType)!);
            var sampling = Sampling.Build(r, local);
            if (scorer is not null)
                ScorerInfo.Load(scorer);
            int? count = limit ?? (spec.Data is null ? 100 : null);
            return new Plan(spec, task, count, local, endpoint, sampling, ks, scorer, device, tools);
        }

        EndpointOptions EndpointFor(ParseResult r, string url)
        {
            string name =
                r.GetValue(ModelName)
                ?? throw new PonderException("--endpoint needs --model-name (the served model's name).");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
                throw new PonderException($"--endpoint {url}: not an absolute URL.");
            return new EndpointOptions(uri, name, r.GetValue(ApiKey)!);
        }

        /// <summary>Refuses to overwrite a samples file without --force, and a runs folder that is a file.</summary>
        void CheckFiles(ParseResult r)
        {
            if (r.GetValue(Out) is { } path)
            {
                if (Directory.Exists(path))
                    throw new PonderException($"--out {path}: a folder; give the file to write the samples to.");
                if (File.Exists(path) && !r.GetValue(Force))
                {
                    throw new PonderException(
                        $"--out {path}: the file exists; pass --force to overwrite it or choose another file."
                    );
                }
            }

            if (File.Exists(r.GetValue(Runs)))
                throw new PonderException($"--runs-dir {r.GetValue(Runs)}: a file; give the folder for run folders.");
        }
    }
}
