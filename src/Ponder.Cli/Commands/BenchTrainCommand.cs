using System.CommandLine;
using Ponder.Benchmarks;
using Ponder.LanguageModels;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench train</c>: training tokens/s on random tokens, against the matmul peak of the same run.
/// The weights change in memory only; nothing is saved.</summary>
static class BenchTrainCommand
{
    public static Command Create(CliOutput io)
    {
        var model = CommonOptions.Model();
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => 16 };
        var seqLen = new Option<int>("--seq-len")
        {
            Description = "Tokens per sequence.",
            DefaultValueFactory = _ => 256,
        };
        var steps = new Option<int>("--steps")
        {
            Description = "Timed steps (after 2 warm-up steps).",
            DefaultValueFactory = _ => 10,
        };
        var dtype = CommonOptions.DType();
        var device = CommonOptions.Device();
        var json = CommonOptions.Json();
        var threads = BenchReport.ThreadsOption();
        var command = new Command(
            "train",
            "Training tokens/s (forward, backward, AdamW) and its fraction of the matmul peak."
        )
        {
            model,
            batch,
            seqLen,
            steps,
            dtype,
            device,
            json,
            threads,
        };
        command.SetAction(r =>
        {
            int b = r.GetValue(batch),
                t = r.GetValue(seqLen),
                n = r.GetValue(steps);
            BenchReport.RequirePositive(b, "--batch");
            BenchReport.RequirePositive(t, "--seq-len");
            BenchReport.RequirePositive(n, "--steps");
            BenchReport.ApplyThreads(r.GetValue(threads));
            var options = CommonOptions.ToDevice(r.GetValue(device)!, r.GetValue(dtype)!);
            using var lm = LanguageModel.Load(r.GetValue(model)!, options);
            if (t + 1 > lm.Config.MaxPositionEmbeddings) // checked before the peak is measured
            {
                throw new PonderException(
                    $"--seq-len {t} exceeds the model's context of {lm.Config.MaxPositionEmbeddings} tokens "
                        + "(one more is needed for the targets); lower --seq-len."
                );
            }

            var peaks = BenchReport.MeasurePeaks(options.TorchDevice, options.ScalarType);
            var peak = peaks[^1];
            var rows = BenchReport.PeakRows(peaks, peak).ToList();
            var train = TrainThroughput.Measure(lm.Network, b, t, n);
            rows.Add(
                new BenchRow(
                    $"train batch {b} × {t} (fwd + bwd + AdamW)",
                    train.TokensPerSecond,
                    train.GflopsPerSecond,
                    train.GflopsPerSecond / peak.GflopsPerSecond
                )
            );
            var settings = new Dictionary<string, object>
            {
                ["batch"] = b,
                ["seq-len"] = t,
                ["steps"] = n,
                ["final-loss"] = Math.Round(train.FinalLoss, 3),
            };
            BenchReport.Print(
                io,
                r.GetValue(json),
                "bench train",
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
