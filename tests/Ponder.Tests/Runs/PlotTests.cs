using Ponder.Plots;
using Ponder.Runs;

namespace Ponder.Tests.Runs;

/// <summary>PNG charts are written headless (ScottPlot on SkiaSharp's bundled Linux native library).</summary>
public sealed class PlotTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path}: {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes[..8]);
    }

    [Fact]
    public void Given_two_series_on_a_log_x_axis_Then_a_png_is_written()
    {
        string path = dir.File("plots/compute.png");
        LinePlot.Save(
            path,
            "Accuracy vs test-time compute",
            "samples per problem",
            "accuracy",
            [
                ("pass@k", [(1, 0.3), (4, 0.55), (16, 0.72), (64, 0.83)]),
                ("cons@k", [(1, 0.3), (4, 0.4), (16, 0.46), (64, 0.5)]),
            ],
            logX: true
        );
        AssertPng(path);
    }

    [Fact]
    public void Given_a_nan_point_Then_it_is_left_out_and_the_rest_is_drawn()
    {
        string path = dir.File("nan.png");
        LinePlot.Save(path, "loss", "step", "loss", [("loss", [(1, 2.0), (2, double.NaN), (3, 1.0)])]);
        AssertPng(path);
    }

    [Fact]
    public void Given_a_zero_x_on_a_log_axis_Then_it_is_refused_with_the_series_name()
    {
        var e = Assert.Throws<PonderException>(() =>
            LinePlot.Save(dir.File("x.png"), "t", "x", "y", [("cons", [(0, 1.0)])], logX: true)
        );
        Assert.Contains("\"cons\" has x = 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_run_with_loss_but_no_accuracy_Then_only_loss_png_is_written()
    {
        using var run = RunStore.Create(dir.Path, "sft", "r", new { }, new FixedTime(DateTimeOffset.UnixEpoch));
        for (int step = 1; step <= 30; step++)
        {
            run.LogMetrics(
                step,
                new Dictionary<string, double> { ["train/loss"] = 3.0 * Math.Exp(-step / 10.0) + 0.5 }
            );
        }

        var written = RunPlots.Write(run);

        Assert.Equal([Path.Combine(run.Dir, "loss.png")], written);
        AssertPng(written[0]);
        Assert.False(File.Exists(Path.Combine(run.Dir, "accuracy.png")));
    }

    [Fact]
    public void Given_eval_accuracy_Then_accuracy_png_is_written_too()
    {
        using var run = RunStore.Create(dir.Path, "grpo", "r", new { }, new FixedTime(DateTimeOffset.UnixEpoch));
        run.LogMetrics(0, new Dictionary<string, double> { ["train/loss"] = 1, ["eval/pass@1"] = 0.1 });
        run.LogMetrics(10, new Dictionary<string, double> { ["train/loss"] = 0.8, ["eval/pass@1"] = 0.3 });

        Assert.Equal(2, RunPlots.Write(run).Count);
        AssertPng(Path.Combine(run.Dir, "accuracy.png"));
    }
}
