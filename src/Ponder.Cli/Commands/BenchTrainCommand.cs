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
        var cli = new CliOptions();
        var command = new Command(
            "train",
            "Training tokens/s (forward, backward, AdamW) and its fraction of the matmul peak."
        );
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        int b = r.GetValue(cli.Batch),
            t = r.GetValue(cli.SeqLen),
            n = r.GetValue(cli.Steps),
            packed = r.GetValue(cli.Packed);
        BenchReport.RequirePositive(b, "--batch");
        BenchReport.RequirePositive(t, "--seq-len");
        BenchReport.RequirePositive(n, "--steps");
        BenchReport.RequirePositive(packed, "--packed");
        if (packed > t)
            throw new PonderException($"--packed {packed} is more sequences than --seq-len {t} has tokens; lower it.");
        BenchReport.ApplyThreads(r.GetValue(cli.Threads));
        var options = CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!);
        int context = ModelFacts.Read(r.GetValue(cli.Model)!).Context;
        if (t + 1 > context)
        {
            throw new PonderException(
                $"--seq-len {t} exceeds the model's context of {context} tokens (one more is needed for the "
                    + "targets); lower --seq-len."
            );
        }

        using var lm = LanguageModel.Load(r.GetValue(cli.Model)!, options);

        var peaks = BenchReport.MeasurePeaks(options.TorchDevice, options.ScalarType);
        var peak = peaks[^1];
        var rows = BenchReport.PeakRows(peaks, peak).ToList();
        lm.Network.GradientCheckpointing = r.GetValue(cli.Checkpointing);
        bool tracked = ResidentMemory.ResetPeak(); // the training steps' peak, not the load's
        var train = TrainThroughput.Measure(lm.Network, b, t, n, packed);
        long? peakResident = tracked ? ResidentMemory.PeakBytes() : null;
        string layout = packed == 1 ? $"{b} × {t}" : $"{b} × {t}, {packed} packed per row";
        rows.Add(
            new BenchRow(
                $"train batch {layout} (fwd + bwd + AdamW)",
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
            ["packed"] = packed,
            ["final-loss"] = Math.Round(train.FinalLoss, 3),
            ["gradient-checkpointing"] = lm.Network.GradientCheckpointing,
        };
        if (peakResident is long peakBytes)
            settings["peak-resident-mb"] = peakBytes / (1 << 20);
        string model = r.GetValue(cli.Model)!;
        BenchReport.Print(io, r.GetValue(cli.Json), "bench train", model, lm.Config, options.DType, settings, rows);
        return 0;
    }

    sealed class CliOptions
    {
        public Option<string> Model { get; } = CommonOptions.Model();
        public Option<int> Batch { get; } =
            new("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => 16 };
        public Option<int> SeqLen { get; } =
            new("--seq-len") { Description = "Tokens per sequence.", DefaultValueFactory = _ => 256 };
        public Option<int> Steps { get; } =
            new("--steps") { Description = "Timed steps (after 2 warm-up steps).", DefaultValueFactory = _ => 10 };
        public Option<int> Packed { get; } =
            new("--packed")
            {
                Description =
                    "Sequences per row, each attending only within itself as SFT packs examples (1: one causal "
                    + "sequence per row).",
                DefaultValueFactory = _ => 1,
            };
        public Option<bool> Checkpointing { get; } =
            new("--gradient-checkpointing")
            {
                Description =
                    "Recompute each layer in the backward pass (reports the peak resident memory either way).",
            };
        public Option<string> DType { get; } = CommonOptions.DType();
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<bool> Json { get; } = CommonOptions.Json();
        public Option<int> Threads { get; } = BenchReport.ThreadsOption();

        public void AddTo(Command command)
        {
            Option[] all = [Model, Batch, SeqLen, Steps, Packed, Checkpointing, DType, Device, Json, Threads];
            foreach (var o in all)
                command.Options.Add(o);
        }
    }
}
