using System.Globalization;
using Ponder.Benchmarks;
using Ponder.Model;
using Ponder.Runtime;
using Spectre.Console;
using static TorchSharp.torch;

namespace Ponder.Cli.Commands;

/// <summary>One line of a bench table. <paramref name="TokensPerSecond"/> is null for the matmul peak itself.</summary>
sealed record BenchRow(string Measure, double? TokensPerSecond, double GflopsPerSecond, double FractionOfPeak);

/// <summary>What every bench subcommand shares: the peak measured in the same run, and the table / JSON
/// output.</summary>
static class BenchReport
{
    /// <summary>The float32 peak, and the peak of <paramref name="dtype"/> too when it differs (the denominator
    /// of every fraction is the peak of the type the model computes in).</summary>
    public static IReadOnlyList<MatmulPeakResult> MeasurePeaks(Device device, ScalarType dtype)
    {
        var peaks = new List<MatmulPeakResult> { MatmulPeak.Measure(device, ScalarType.Float32) };
        if (dtype != ScalarType.Float32)
            peaks.Add(MatmulPeak.Measure(device, dtype));
        return peaks;
    }

    public static IEnumerable<BenchRow> PeakRows(IReadOnlyList<MatmulPeakResult> peaks, MatmulPeakResult reference) =>
        peaks.Select(p => new BenchRow(
            $"matmul {p.Size}³ {p.DType.ToLowerInvariant()}",
            null,
            p.GflopsPerSecond,
            p.GflopsPerSecond / reference.GflopsPerSecond
        ));

    static Dictionary<string, object?> RowJson(BenchRow r) =>
        new()
        {
            ["measure"] = r.Measure,
            ["tokens_per_second"] = r.TokensPerSecond,
            ["gflops_per_second"] = r.GflopsPerSecond,
            ["fraction_of_peak"] = r.FractionOfPeak,
        };

    public static void Print(
        CliOutput io,
        bool json,
        string command,
        string model,
        ModelConfig config,
        string dtype,
        IReadOnlyDictionary<string, object> settings,
        IReadOnlyList<BenchRow> rows,
        IReadOnlyList<KeyValuePair<string, double>>? ratios = null,
        IReadOnlyList<MemoryRow>? memory = null
    )
    {
        if (json)
        {
            io.Out.WriteLine(
                CliJson.Line(
                    new Dictionary<string, object>
                    {
                        ["memory"] = memory?.Select(MemoryJson).ToArray() ?? [],
                        ["command"] = command,
                        ["model"] = model,
                        ["parameters"] = config.ParameterCount,
                        ["matmul_parameters"] = Flops.MatmulParameters(config),
                        ["dtype"] = dtype,
                        ["threads"] = Threads,
                        ["threads_tuned"] = ThreadTuner.Shared.Enabled,
                        ["load_average"] = LoadAverage(),
                        ["settings"] = settings,
                        ["rows"] = rows.Select(RowJson).ToArray(),
                        ["ponder_over_peer"] = ratios?.ToDictionary(kv => kv.Key, kv => kv.Value) ?? [],
                    }
                )
            );
            return;
        }
        io.Console.MarkupLine(
            $"[grey]{Markup.Escape(command)} · {Markup.Escape(model)} · {config.ParameterCount:N0} parameters "
                + $"({Flops.MatmulParameters(config):N0} in matmuls) · {dtype} · {Threads} threads{Tuned} · load "
                + $"{LoadAverage()} · "
                + $"{Markup.Escape(string.Join(", ", settings.Select(kv => $"{kv.Key} {Show(kv.Value)}")))}[/]"
        );
        PrintTables(io, rows, ratios);
        if (memory is { Count: > 0 })
            PrintMemory(io, memory);
    }

    static Dictionary<string, object?> MemoryJson(MemoryRow m) =>
        new()
        {
            ["batch"] = m.Batch,
            ["peak_resident_bytes"] = m.PeakBytes,
            ["runtime_bytes"] = m.RuntimeBytes,
            ["weight_bytes"] = m.Budget.WeightBytes,
            ["kv_cache_bytes"] = m.Budget.KvCacheBytes,
            ["workspace_bytes"] = m.Budget.WorkspaceBytes,
            ["peak_over_budget"] = m.PeakOverBudget,
        };

    static void PrintMemory(CliOutput io, IReadOnlyList<MemoryRow> memory)
    {
        static string Mb(long? bytes) => bytes is long b ? (b / 1048576.0).ToString("N0") : "";
        var table = new Table()
            .AddColumn("batch")
            .AddColumn(new TableColumn("peak resident MB").RightAligned())
            .AddColumn(new TableColumn("runtime MB").RightAligned())
            .AddColumn(new TableColumn("weights MB").RightAligned())
            .AddColumn(new TableColumn("KV cache MB").RightAligned())
            .AddColumn(new TableColumn("workspace MB").RightAligned())
            .AddColumn(new TableColumn("(peak − runtime) / (weights + KV + workspace)").RightAligned());
        foreach (var m in memory)
        {
            table.AddRow(
                m.Batch.ToString(CultureInfo.InvariantCulture),
                Mb(m.PeakBytes),
                Mb(m.RuntimeBytes),
                Mb(m.Budget.WeightBytes),
                Mb(m.Budget.KvCacheBytes),
                Mb(m.Budget.WorkspaceBytes),
                m.PeakOverBudget.ToString("F2")
            );
        }
        io.Console.Write(table);
    }

    static void PrintTables(
        CliOutput io,
        IReadOnlyList<BenchRow> rows,
        IReadOnlyList<KeyValuePair<string, double>>? ratios
    )
    {
        var table = new Table()
            .AddColumn("measure")
            .AddColumn(new TableColumn("tokens/s").RightAligned())
            .AddColumn(new TableColumn("GFLOP/s").RightAligned())
            .AddColumn(new TableColumn("% of peak").RightAligned());
        foreach (var r in rows)
        {
            table.AddRow(
                Markup.Escape(r.Measure),
                r.TokensPerSecond is double t ? t.ToString("N0") : "",
                r.GflopsPerSecond.ToString("F1"),
                (100 * r.FractionOfPeak).ToString("F1")
            );
        }

        io.Console.Write(table);
        if (ratios is { Count: > 0 })
        {
            var ratioTable = new Table()
                .AddColumn("tokens/s")
                .AddColumn(new TableColumn("Ponder / peer").RightAligned());
            foreach (var (measure, ratio) in ratios)
                ratioTable.AddRow(Markup.Escape(measure), ratio.ToString("F2"));
            io.Console.Write(ratioTable);
        }
    }

    /// <summary>The 1-minute load average (Linux): other processes on the cores skew every number here, so it is
    /// printed with them. Empty where /proc/loadavg does not exist.</summary>
    static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "";

    static string Show(object value) => value is int[] list ? string.Join(",", list) : Convert.ToString(value) ?? "";

    static string Tuned => ThreadTuner.Shared.Enabled ? " (tuned)" : "";

    /// <summary>libtorch's intra-op threads: the most the tuner uses where it tunes, else the fixed count.</summary>
    public static int Threads => ThreadTuner.Shared.Enabled ? ThreadTuner.Shared.MaxThreads : get_num_threads();

    /// <summary>--threads: intra-op threads of libtorch (process-wide); 0 keeps libtorch's default (one per
    /// core).</summary>
    public static System.CommandLine.Option<int> ThreadsOption() =>
        new("--threads")
        {
            Description = "Intra-op CPU threads (0: libtorch's default, one per core).",
            DefaultValueFactory = _ => 0,
        };

    public static void ApplyThreads(int threads)
    {
        if (threads < 0)
            throw new PonderException($"--threads {threads} must be 0 (default) or positive.");
        if (threads > 0)
            ThreadTuner.Shared.Pin(threads);
    }

    public static int[] ParseBatches(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            throw new PonderException($"--batch \"{text}\": give one or more positive sizes, e.g. 1,64.");
        return parts
            .Select(p =>
                int.TryParse(p, out int b) && b > 0
                    ? b
                    : throw new PonderException(
                        $"--batch \"{text}\": \"{p}\" is not a positive integer; give sizes like 1,64."
                    )
            )
            .ToArray();
    }

    public static void RequirePositive(int value, string option)
    {
        if (value < 1)
            throw new PonderException($"{option} {value} must be positive.");
    }
}
