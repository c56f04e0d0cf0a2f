using Ponder.Plots;
using Ponder.Runs;
using Ponder.TestTime;
using ScottPlot;
using FillY = ScottPlot.Plottables.FillY;
using LinePlot = Ponder.Plots.LinePlot;
using Scatter = ScottPlot.Plottables.Scatter;

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
            new AxisStyle(LogX: true)
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
            LinePlot.Save(dir.File("x.png"), "t", "x", "y", [("cons", [(0, 1.0)])], new AxisStyle(LogX: true))
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

    /// <summary>The major ticks an axis shows over [min, max] at 800 pixels.</summary>
    static List<Tick> MajorTicks(IAxis axis, double min, double max)
    {
        using var paint = Paint.NewDisposablePaint();
        axis.TickGenerator.Regenerate(new CoordinateRange(min, max), Edge.Bottom, new PixelLength(800), paint, new());
        return axis.TickGenerator.Ticks.Where(t => t.IsMajor).ToList();
    }

    RunStore RunWith(string metric, params (int Step, double Value)[] points)
    {
        var run = RunStore.Create(dir.Path, "rl", Guid.NewGuid().ToString("N"), new { });
        foreach (var (step, value) in points)
            run.LogMetrics(step, new Dictionary<string, double> { [metric] = value });
        return run;
    }

    [Fact]
    public void Given_a_held_out_accuracy_of_zero_When_accuracy_png_is_built_Then_its_y_axis_spans_0_to_1()
    {
        // A smoke run's accuracy is 0 at every evaluation: autoscaling a flat line at 0 gave an axis from -1 to 1.
        using var run = RunWith(RunPlots.AccuracyMetric, (0, 0), (2, 0), (4, 0));
        using var plot = RunPlots.Create(run, RunPlots.AccuracyMetric)!;

        var limits = plot.Axes.GetLimits();

        Assert.Equal((0.0, 1.0), (limits.Bottom, limits.Top));
    }

    [Theory]
    [InlineData(RunPlots.LossMetric)]
    [InlineData(RunPlots.AccuracyMetric)]
    public void Given_a_run_of_a_few_steps_When_its_charts_are_built_Then_the_step_axis_has_whole_numbers_only(
        string metric
    )
    {
        using var run = RunWith(metric, (1, 0.5), (2, 0.4), (3, 0.3));
        using var plot = RunPlots.Create(run, metric)!;

        var ticks = MajorTicks(plot.Axes.Bottom, 0.9, 3.1);

        Assert.NotEmpty(ticks);
        Assert.All(ticks, t => Assert.Equal(Math.Round(t.Position), t.Position));
    }

    static ScalingResult Sweep(params (Strategy Strategy, double Flops, double Accuracy)[] points) =>
        new(
            "countdown",
            "m",
            10,
            new ScalingOptions(),
            false,
            points.Select(p => new ScalingPoint(16, 1, p.Strategy, p.Accuracy, 10, p.Flops, 8, 0, 10)).ToList()
        );

    [Fact]
    public void Given_compute_within_one_decade_When_scale_png_is_built_Then_the_log_axis_has_labelled_ticks()
    {
        // 2e6 to 8e6 FLOPs: no power of ten lies inside, so ticks at powers of ten alone left the axis unlabelled.
        var result = Sweep((Strategy.Single, 2e6, 0.1), (Strategy.Majority, 2e6, 0.1), (Strategy.Majority, 8e6, 0.3));
        using var plot = ScalingPlot.Create(result);
        var x = plot.Axes.GetLimits();

        var ticks = MajorTicks(plot.Axes.Bottom, x.Left, x.Right)
            .Where(t => t.Position >= x.Left && t.Position <= x.Right);

        Assert.True(ticks.Count() >= 2, string.Join(", ", ticks.Select(t => t.Label)));
        Assert.All(ticks, t => Assert.False(string.IsNullOrWhiteSpace(t.Label)));
        Assert.Contains(ticks, t => t.Label == "2e6");
        Assert.Equal((0.0, 1.0), (plot.Axes.GetLimits().Bottom, plot.Axes.GetLimits().Top));
    }

    [Fact]
    public void Given_single_and_cons_on_the_same_points_When_scale_png_is_built_Then_single_is_drawn_on_top_apart()
    {
        // At one sample a vote is the sample itself: the two curves coincide, and cons, drawn later, hid single.
        var result = Sweep((Strategy.Single, 1e6, 0.2), (Strategy.Majority, 1e6, 0.2), (Strategy.Majority, 4e6, 0.3));
        using var plot = ScalingPlot.Create(result);

        var scatters = plot.GetPlottables<Scatter>().ToList();
        var single = scatters.Single(s => s.LegendText == "single");
        var cons = scatters.Single(s => s.LegendText == "cons");

        Assert.Same(single, scatters[^1]);
        Assert.NotEqual(cons.LinePattern.Name, single.LinePattern.Name);
        Assert.NotEqual(cons.MarkerShape, single.MarkerShape);
        Assert.True(single.MarkerSize > cons.MarkerSize, $"{single.MarkerSize} vs {cons.MarkerSize}");
    }

    static readonly TrainPoint[] Curve =
    [
        new(0, 2.5e13, 0.44, 0.40, 0.48),
        new(12, 2.6e13, 0.47, 0.43, 0.51),
        new(150, 3.6e13, 0.56, 0.52, 0.60),
    ];

    [Fact]
    public void Given_a_train_curve_When_train_scaling_png_is_built_Then_a_band_of_its_interval_lies_under_the_line()
    {
        using var plot = TrainScalingPlot.Create(Curve)!;

        var band = plot.GetPlottables<FillY>().Single();
        var line = plot.GetPlottables<Scatter>().Single();
        var limits = band.GetAxisLimits();
        var plottables = plot.GetPlottables().ToList();

        Assert.Equal((0.40, 0.60), (limits.Bottom, limits.Top));
        Assert.Equal((Math.Log10(2.5e13), Math.Log10(3.6e13)), (limits.Left, limits.Right));
        Assert.True(plottables.IndexOf(band) < plottables.IndexOf(line), "the band is drawn before the line");
        Assert.Equal(5, line.MarkerSize);
        AssertPng(TrainScalingPlot.Write(dir.Path, Curve)!);
    }

    [Fact]
    public void Given_interval_bounds_When_the_band_is_built_Then_x_is_log10_flops_and_y_the_bounds()
    {
        var band = TrainScalingPlot.Band(Curve);

        // log10(2.5e13) = 13 + log10(2.5) = 13.39794.
        Assert.Equal(3, band.Count);
        Assert.Equal(13.39794, band[0].X, 5);
        Assert.Equal((0.40, 0.48), (band[0].Low, band[0].High));
        Assert.Equal((0.52, 0.60), (band[2].Low, band[2].High));
    }

    [Fact]
    public void Given_one_point_with_flops_When_train_scaling_png_is_built_Then_there_is_nothing_to_draw()
    {
        Assert.Null(TrainScalingPlot.Create([new TrainPoint(0, 0, 0.4, 0.3, 0.5), Curve[0]]));
    }

    static List<string> Labels(IAxis axis, double min, double max) =>
        MajorTicks(axis, min, max).Where(t => t.Position >= min && t.Position <= max).Select(t => t.Label).ToList();

    [Fact]
    public void Given_compute_less_than_a_decade_wide_When_train_scaling_png_is_built_Then_round_values_label_it()
    {
        // 2.5e13 to 3.6e13: SFT's compute and RL's on top. Multiples of 1e13 would label only 3e13.
        using var plot = TrainScalingPlot.Create(Curve)!;
        var x = plot.Axes.GetLimits();

        var labels = Labels(plot.Axes.Bottom, x.Left, x.Right);

        Assert.True(labels.Count >= 3, string.Join(", ", labels));
        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.Contains("2.6e13", labels);
        Assert.Contains("3e13", labels);
    }

    [Fact]
    public void Given_compute_over_several_decades_When_the_curve_is_built_Then_powers_of_ten_label_it()
    {
        TrainPoint[] wide = [new(0, 1e9, 0.1, 0.05, 0.15), new(100, 1e13, 0.5, 0.45, 0.55)];
        using var plot = TrainScalingPlot.Create(wide)!;
        var x = plot.Axes.GetLimits();

        var labels = Labels(plot.Axes.Bottom, x.Left, x.Right);

        Assert.Equal(["1e9", "1e10", "1e11", "1e12", "1e13"], labels);
    }
}
