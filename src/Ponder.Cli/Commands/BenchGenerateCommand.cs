using System.CommandLine;
using Ponder.Benchmarks;
using Ponder.LanguageModels;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench generate</c>: sampler tokens/s at each batch size, against the matmul peak of the same
/// run.</summary>
static class BenchGenerateCommand
{
    public static Command Create(CliOutput io)
    {
        var model = CommonOptions.Model();
        var batch = new Option<string>("--batch")
        {
            Description = "Batch sizes, comma-separated.",
            DefaultValueFactory = _ => "1,64",
        };
        var promptTokens = new Option<int>("--prompt-tokens")
        {
            Description = "Random prompt tokens per row.",
            DefaultValueFactory = _ => 64,
        };
        var newTokens = new Option<int>("--new-tokens")
        {
            Description = "Tokens generated per row (stop tokens disabled).",
            DefaultValueFactory = _ => 128,
        };
        var dtype = CommonOptions.DType();
        var device = CommonOptions.Device();
        var json = CommonOptions.Json();
        var threads = BenchReport.ThreadsOption();
        var command = new Command(
            "generate",
            "Generation tokens/s (greedy, KV cache) and its fraction of the matmul peak."
        )
        {
            model,
            batch,
            promptTokens,
            newTokens,
            dtype,
            device,
            json,
            threads,
        };
        command.SetAction(r =>
        {
            int[] batches = BenchReport.ParseBatches(r.GetValue(batch)!);
            int prompt = r.GetValue(promptTokens),
                fresh = r.GetValue(newTokens);
            BenchReport.RequirePositive(prompt, "--prompt-tokens");
            if (fresh < 2)
            {
                throw new PonderException(
                    $"--new-tokens {fresh} must be at least 2 (the first token comes from the prefill)."
                );
            }

            BenchReport.ApplyThreads(r.GetValue(threads));
            var options = CommonOptions.ToDevice(r.GetValue(device)!, r.GetValue(dtype)!);
            using var lm = LanguageModel.Load(r.GetValue(model)!, options);
            if (prompt + fresh > lm.Config.MaxPositionEmbeddings) // checked before the peak is measured
            {
                throw new PonderException(
                    $"--prompt-tokens {prompt} + --new-tokens {fresh} exceeds the model's context of "
                        + $"{lm.Config.MaxPositionEmbeddings} tokens; lower one of them."
                );
            }

            var peaks = BenchReport.MeasurePeaks(options.TorchDevice, options.ScalarType);
            var peak = peaks[^1];
            var rows = BenchReport.PeakRows(peaks, peak).ToList();
            foreach (int b in batches)
            {
                var g = GenerateThroughput.Measure(lm, b, prompt, fresh);
                rows.Add(
                    new BenchRow(
                        $"generate batch {b} (prefill + decode)",
                        g.TokensPerSecond,
                        g.GflopsPerSecond,
                        g.GflopsPerSecond / peak.GflopsPerSecond
                    )
                );
                rows.Add(
                    new BenchRow(
                        $"generate batch {b} (decode only)",
                        g.DecodeTokensPerSecond,
                        g.DecodeGflopsPerSecond,
                        g.DecodeGflopsPerSecond / peak.GflopsPerSecond
                    )
                );
            }
            var settings = new Dictionary<string, object>
            {
                ["batch"] = batches,
                ["prompt-tokens"] = prompt,
                ["new-tokens"] = fresh,
            };
            BenchReport.Print(
                io,
                r.GetValue(json),
                "bench generate",
                r.GetValue(model)!,
                lm.Config,
                options.DType,
                settings,
                rows
            );
            return 0;
        });
        return command;
    }
}
