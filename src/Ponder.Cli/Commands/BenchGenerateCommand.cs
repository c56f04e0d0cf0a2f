using System.CommandLine;
using Ponder.Benchmarks;
using Ponder.LanguageModels;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench generate</c>: generation tokens/s at each batch size, against the matmul peak of the same
/// run.</summary>
static class BenchGenerateCommand
{
    public static Command Create(CliOutput io)
    {
        var cli = new CliOptions();
        var command = new Command(
            "generate",
            "Generation tokens/s (greedy, KV cache) and its fraction of the matmul peak."
        );
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        int[] batches = BenchReport.ParseBatches(r.GetValue(cli.Batch)!);
        int prompt = r.GetValue(cli.PromptTokens),
            fresh = r.GetValue(cli.NewTokens);
        BenchReport.RequirePositive(prompt, "--prompt-tokens");
        if (fresh < 2)
        {
            throw new PonderException(
                $"--new-tokens {fresh} must be at least 2 (the first token comes from the prefill)."
            );
        }

        BenchReport.ApplyThreads(r.GetValue(cli.Threads));
        var options = CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!);
        int context = ModelFacts.Read(r.GetValue(cli.Model)!).Context;
        if (prompt + fresh > context)
        {
            throw new PonderException(
                $"--prompt-tokens {prompt} + --new-tokens {fresh} exceeds the model's context of {context} tokens; "
                    + "lower one of them."
            );
        }

        using var lm = LanguageModel.Load(r.GetValue(cli.Model)!, options);

        var peaks = BenchReport.MeasurePeaks(options.TorchDevice, options.ScalarType);
        var peak = peaks[^1];
        var rows = BenchReport.PeakRows(peaks, peak).ToList();
        foreach (int b in batches)
            rows.AddRange(Rows(lm, b, prompt, fresh, peak));
        var settings = new Dictionary<string, object>
        {
            ["batch"] = batches,
            ["prompt-tokens"] = prompt,
            ["new-tokens"] = fresh,
        };
        BenchReport.Print(
            io,
            r.GetValue(cli.Json),
            "bench generate",
            r.GetValue(cli.Model)!,
            lm.Config,
            options.DType,
            settings,
            rows
        );
        return 0;
    }

    /// <summary>One measurement at batch size <paramref name="batch"/>: the whole generation, and decoding
    /// alone.</summary>
    static BenchRow[] Rows(LanguageModel lm, int batch, int prompt, int fresh, MatmulPeakResult peak)
    {
        var g = GenerateThroughput.Measure(lm, batch, prompt, fresh);
        return
        [
            new BenchRow(
                $"generate batch {batch} (prefill + decode)",
                g.TokensPerSecond,
                g.GflopsPerSecond,
                g.GflopsPerSecond / peak.GflopsPerSecond
            ),
            new BenchRow(
                $"generate batch {batch} (decode only)",
                g.DecodeTokensPerSecond,
                g.DecodeGflopsPerSecond,
                g.DecodeGflopsPerSecond / peak.GflopsPerSecond
            ),
        ];
    }

    sealed class CliOptions
    {
        public Option<string> Model { get; } = CommonOptions.Model();
        public Option<string> Batch { get; } =
            new("--batch") { Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,64" };
        public Option<int> PromptTokens { get; } =
            new("--prompt-tokens") { Description = "Random prompt tokens per row.", DefaultValueFactory = _ => 64 };
        public Option<int> NewTokens { get; } =
            new("--new-tokens")
            {
                Description = "Tokens generated per row (stop tokens disabled).",
                DefaultValueFactory = _ => 128,
            };
        public Option<string> DType { get; } = CommonOptions.DType();
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<bool> Json { get; } = CommonOptions.Json();
        public Option<int> Threads { get; } = BenchReport.ThreadsOption();

        public void AddTo(Command command)
        {
            Option[] all = [Model, Batch, PromptTokens, NewTokens, DType, Device, Json, Threads];
            foreach (var o in all)
                command.Options.Add(o);
        }
    }
}
