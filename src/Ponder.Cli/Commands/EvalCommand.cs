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
        var model = new Option<string?>("--model") { Description = "Local model directory (or use --endpoint)." };
        var endpoint = new Option<string?>("--endpoint")
        {
            Description = "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1.",
        };
        var apiKey = new Option<string>("--api-key")
        {
            Description = "API key for --endpoint.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("OPENAI_API_KEY") ?? "none",
        };
        var modelName = new Option<string?>("--model-name") { Description = "Model name at the endpoint." };
        var limit = new Option<int?>("--limit")
        {
            Description = "Problems to evaluate (generated tasks: default 100; datasets: all).",
        };
        var ks = new Option<string?>("--k")
        {
            Description = "k values, e.g. 1,8,64 (each at most --samples). Default: 1 and powers of 2.",
        };
        var outFile = new Option<string?>("--out") { Description = "Write one JSON line per sample here." };
        var runs = new Option<string>("--runs-dir")
        {
            Description = "Where the run folder is written.",
            DefaultValueFactory = _ => "runs",
        };
        var verbose = new Option<bool>("--json") { Description = "Print the metrics as one JSON object." };
        var scorer = new Option<string?>("--scorer", "--verifier")
        {
            Description = "Scorer directory (ponder scorer train): scores every sample, adds rerank@k and weighted@k.",
        };
        var device = CommonOptions.Device();
        var dtype = CommonOptions.DType();
        var task = new TaskOptions();
        var sampling = new SamplingCliOptions();
        var command = new Command("eval", "Evaluate a model on a task: pass@1, pass@k, cons@k.")
        {
            model,
            endpoint,
            apiKey,
            modelName,
            limit,
            ks,
            outFile,
            runs,
            verbose,
            scorer,
            device,
            dtype,
        };
        task.AddTo(command);
        sampling.AddTo(command);
        command.SetAction(r =>
        {
            var spec = task.Spec(r);
            var reasoningTask = spec.Create();
            int? count = r.GetValue(limit) ?? (spec.Data is null ? 100 : null);
            var problems = reasoningTask.Problems(TaskSplit.Test, count);
            if (problems.Count == 0)
                throw new PonderException($"--task {spec.Name}: no problems to evaluate.");
            string? local = r.GetValue(model),
                url = r.GetValue(endpoint);
            if ((local is null) == (url is null))
                throw new PonderException("give exactly one of --model DIR or --endpoint URL.");

            if (url is not null && r.GetValue(scorer) is not null)
            {
                throw new PonderException(
                    "--scorer scores the policy's own token ids: use it with a local --model, not --endpoint."
                );
            }

            IReadOnlyList<Rollout> rollouts;
            double[]? scores = null;
            var writer = r.GetValue(outFile) is { } path ? new SampleWriter(path) : null;
            try
            {
                if (local is not null)
                {
                    using var lm = LanguageModel.Load(
                        local,
                        CommonOptions.ToDevice(r.GetValue(device)!, r.GetValue(dtype)!)
                    );
                    var options = sampling.Build(r, lm);
                    if (r.GetValue(scorer) is { } checkDir)
                        ScorerInfo.Load(checkDir).CheckCompatible(lm, checkDir); // refuse before sampling
                    rollouts = CliProgress.Run(
                        io,
                        $"sampling {problems.Count}×{options.N}",
                        problems.Count * options.N,
                        p => LocalRollouts.Run(lm, reasoningTask, problems, options, p)
                    );
                    if (r.GetValue(scorer) is { } scorerDir)
                    {
                        using var scorer = ScorerModel.Load(
                            scorerDir,
                            lm,
                            CommonOptions.ToDevice(r.GetValue(device)!, r.GetValue(dtype)!)
                        );
                        scores = scorer.Score(rollouts);
                    }
                    for (int i = 0; i < rollouts.Count; i++)
                        writer?.Write(rollouts[i], scores?[i]);
                }
                else
                {
                    var options = sampling.Build(r, null);
                    string name =
                        r.GetValue(modelName)
                        ?? throw new PonderException("--endpoint needs --model-name (the served model's name).");
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
                        throw new PonderException($"--endpoint {url}: not an absolute URL.");
                    var client = new EndpointRollouts(new EndpointOptions(uri, name, r.GetValue(apiKey)!));
                    rollouts = client
                        .RunAsync(reasoningTask, problems, options, x => writer?.Write(x))
                        .GetAwaiter()
                        .GetResult();
                }
            }
            finally
            {
                writer?.Dispose();
            }

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
            var kList = r.GetValue(ks) is { } text ? ScoreCommand.ParseKs(text) : Metrics.DefaultKs(n);
            var report = Metrics.Compute(graded, kList);
            var headline = Headline(report, rollouts, reasoningTask);
            using (
                var store = RunStore.Create(
                    r.GetValue(runs)!,
                    "eval",
                    null,
                    new
                    {
                        task = spec,
                        model = local ?? url,
                        samples = n,
                        problems = problems.Count,
                    }
                )
            )
            {
                store.LogMetrics(0, headline);
                store.LogSamples(0, rollouts.Select(SampleWriter.Record));
                foreach (var (k, v) in headline)
                    store.SetHeadline(k, v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture));
                io.Error.WriteLine($"run: {store.Dir}");
            }
            Print(io, report, headline, r.GetValue(verbose));
            return 0;
        });
        return command;
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
}
