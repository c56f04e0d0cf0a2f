using System.CommandLine;
using Ponder.Benchmarks;
using Ponder.Checkpoints.Gguf;
using Ponder.LanguageModels;
using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench generate</c>: generation tokens/s at each batch size, against the matmul peak of the same
/// run, and with <c>--peer llama.cpp</c> against llama.cpp on the same model.</summary>
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

        string? peer = r.GetValue(cli.Peer);
        BenchPeer.Check(peer);
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

        HostMemory.Release(); // the baseline is trimmed as every peak after it is
        long? runtime = ResidentMemory.CurrentBytes(); // .NET and libtorch before the model
        using var lm = LanguageModel.Load(r.GetValue(cli.Model)!, options);

        var peaks = BenchReport.MeasurePeaks(options.TorchDevice, options.ScalarType);
        var run = new Measurement(lm, prompt, fresh, peaks, runtime);
        var (rows, ratios, memory) = Measure(run, batches, peer is null ? null : r.GetValue(cli.Model)!);
        var settings = new Dictionary<string, object>
        {
            ["batch"] = batches,
            ["prompt-tokens"] = prompt,
            ["new-tokens"] = fresh,
        };
        if (peer is not null)
        {
            string type = GgufTypes.Name(BenchPeer.GgufTypeFor(options.ScalarType));
            settings["peer"] = $"llama.cpp ({type} GGUF, f16 KV cache)";
        }
        BenchReport.Print(
            io,
            r.GetValue(cli.Json),
            "bench generate",
            r.GetValue(cli.Model)!,
            lm.Config,
            options.DType,
            settings,
            rows,
            ratios,
            memory
        );
        return 0;
    }

    /// <summary>What every batch size's measurement shares.</summary>
    sealed record Measurement(
        LanguageModel Lm,
        int Prompt,
        int Fresh,
        IReadOnlyList<MatmulPeakResult> Peaks,
        long? RuntimeBytes
    )
    {
        /// <summary>The peak of the precision the model computes in: every fraction's denominator.</summary>
        public MatmulPeakResult Peak => Peaks[^1];
    }

    /// <summary>Ponder at each batch size with its peak resident memory, and llama.cpp after it when
    /// <paramref name="peerModelDir"/> is given.</summary>
    static (List<BenchRow> Rows, List<KeyValuePair<string, double>> Ratios, List<MemoryRow> Memory) Measure(
        Measurement run,
        int[] batches,
        string? peerModelDir
    )
    {
        var rows = BenchReport.PeakRows(run.Peaks, run.Peak).ToList();
        var ratios = new List<KeyValuePair<string, double>>();
        var memory = new List<MemoryRow>();
        var lm = run.Lm;
        using var gguf = peerModelDir is null ? null : new TempGguf(peerModelDir, lm.Network.DType);
        foreach (int b in batches)
        {
            HostMemory.Release(); // what the previous batch size freed, so it does not count as this one's
            bool reset = ResidentMemory.ResetPeak();
            var g = GenerateThroughput.Measure(lm, b, run.Prompt, run.Fresh);
            if (reset && ResidentMemory.PeakBytes() is long peakBytes)
                memory.Add(MemoryRow.Of(lm, b, run.Prompt, run.Fresh, peakBytes, run.RuntimeBytes));
            rows.AddRange(Rows(g, run.Peak));
            if (gguf is not null)
            {
                var p = BenchPeer.Measure(gguf.Path, lm, g, run.Peak, BenchReport.Threads);
                rows.AddRange(p.Rows);
                ratios.AddRange(p.Ratios);
            }
        }
        return (rows, ratios, memory);
    }

    /// <summary>One measurement: the whole generation, and decoding alone.</summary>
    static BenchRow[] Rows(GenerateThroughputResult g, MatmulPeakResult peak)
    {
        int batch = g.Batch;
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
        public Option<string?> Peer { get; } =
            new("--peer")
            {
                Description = "Also time llama.cpp on the same model (exported to GGUF) and print Ponder/llama.cpp.",
            };

        public void AddTo(Command command)
        {
            Option[] all = [Model, Batch, PromptTokens, NewTokens, DType, Device, Json, Threads, Peer];
            foreach (var o in all)
                command.Options.Add(o);
        }
    }
}

/// <summary>The model exported for the peer into a temporary file, deleted on dispose.</summary>
sealed class TempGguf : IDisposable
{
    public TempGguf(string modelDir, ScalarType dtype)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ponder-peer-{Guid.NewGuid():N}.gguf");
        GgufExport.FromDirectory(modelDir, Path, BenchPeer.GgufTypeFor(dtype));
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}

/// <summary>Peak resident memory of one batch size against what generating must hold.</summary>
/// <param name="RuntimeBytes">Resident before the model loaded (.NET, libtorch), or null where unknown.</param>
/// <param name="Budget">Weights, KV cache and one call's workspace (<see cref="GenerateMemory"/>).</param>
sealed record MemoryRow(int Batch, long PeakBytes, long? RuntimeBytes, GenerateMemory Budget)
{
    /// <summary>(peak − runtime) / (weights + KV cache + workspace): 1 is all a generator must hold.</summary>
    public double PeakOverBudget => (PeakBytes - (RuntimeBytes ?? 0)) / (double)Budget.TotalBytes;

    public static MemoryRow Of(LanguageModel lm, int batch, int prompt, int fresh, long peak, long? runtime)
    {
        var net = lm.Network;
        var all = net.parameters().ToList();
        long parameters = all.Sum(p => p.numel());
        int element = (int)all[0].ElementSize;
        var budget = GenerateMemory.For(
            lm.Config,
            parameters,
            element,
            batch,
            prompt,
            fresh,
            Generation.DecodeEngine.DefaultPrefillChunk
        );
        return new MemoryRow(batch, peak, runtime, budget);
    }
}
