using Ponder.Cli.Sessions;
using Ponder.Tasks;
using Ponder.Tasks.Generated;
using Ponder.Training;

namespace Ponder.Tests.Cli;

public sealed class DemoSettingsTests
{
    public static TheoryData<string> Names => ["full", "quick"];

    static DemoSettings Get(string name) => name == "full" ? DemoSettings.Full() : DemoSettings.Quick();

    [Theory]
    [MemberData(nameof(Names))]
    public void Given_the_demo_settings_When_the_task_is_built_Then_it_is_unguided_countdown_with_12_line_traces(
        string name
    )
    {
        var task = Assert.IsType<CountdownTask>(new TaskSpec("countdown", Settings: Get(name).TaskSettings).Create());

        Assert.Equal(
            (3, 10, 12, false),
            (task.Options.Numbers, task.Options.MaxNumber, task.Options.MaxTraceLines, task.Options.Guided)
        );
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Given_the_demo_settings_When_sft_data_is_drawn_Then_every_example_is_a_search_ending_at_the_target(
        string name
    )
    {
        var s = Get(name);
        var task = (ITraceTask)new TaskSpec("countdown", Settings: s.TaskSettings).Create();

        // Throws when fewer than a quarter of the pool's first problems have a trace (an unguided search can fail).
        var data = SftData.FromTask(task, seed: 0, s.SftProblems);

        for (int p = 0; p < 20; p++)
        {
            var reasoning = data.Get(p)[1].Reasoning!;
            var lines = reasoning.Split('\n');
            Assert.InRange(lines.Length, 1, 12);
            Assert.DoesNotContain(" x", lines[^1], StringComparison.Ordinal); // the last line reaches the target
            Assert.DoesNotContain("[", lines[^1], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Given_the_demo_settings_When_the_model_is_built_Then_it_is_mini_and_completions_fit_its_traces(
        string name
    )
    {
        var s = Get(name);

        Assert.Equal("mini", s.Preset);
        _ = Ponder.Model.Presets.Get(s.Preset, "qwen2", 261);
        // 12 lines of up to ~16 tokens and the answer fit the completion limit.
        Assert.True(s.MaxCompletionTokens >= 12 * 16 + 32, $"{s.MaxCompletionTokens} tokens");
        Assert.All(s.Scale.Budgets, b => Assert.True(b <= s.MaxCompletionTokens, $"budget {b}"));
    }

    [Fact]
    public void Given_the_quick_demo_When_it_reports_Then_report_and_summary_say_its_accuracies_are_not_meaningful()
    {
        var stages = new List<DemoRun.Stage>
        {
            new("SFT", new Dictionary<string, double> { ["pass@1"] = 0 }, 60),
            new("SFT + RL", new Dictionary<string, double> { ["pass@1"] = 0 }, 30),
        };
        using var text = new StringWriter();
        var io = new Ponder.Cli.CliOutput(text, text, Ponder.Cli.Cli.CreateConsole(text));

        var figures = new DemoReport.Figures([], "");
        string quick = DemoReport.Write(DemoSettings.Quick(), stages, [], 3.0, figures);
        string full = DemoReport.Write(DemoSettings.Full(), stages, [], 27.6, figures);
        DemoRun.PrintSummary(io, DemoSettings.Quick(), stages, 3.0);

        Assert.Contains("smoke run", quick, StringComparison.Ordinal);
        Assert.Contains("not meaningful", quick, StringComparison.Ordinal);
        Assert.DoesNotContain("smoke run", full, StringComparison.Ordinal);
        Assert.Contains("smoke run", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("not meaningful", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Given_the_full_demo_When_rl_evaluates_Then_it_is_at_6_or_more_log_spaced_steps_from_step_0()
    {
        var rl = DemoSettings.Full().Rl.Validate();

        Assert.True(rl.EvalSteps.Count >= 6, string.Join(", ", rl.EvalSteps));
        Assert.Equal(0, rl.EvalSteps[0]);
        Assert.Equal(rl.Steps, rl.EvalSteps[^1]);
        Assert.Null(rl.EvalEvery);
    }

    [Fact]
    public void Given_the_full_demo_When_held_out_problems_are_drawn_Then_there_are_as_many_as_asked_none_trained_on()
    {
        var s = DemoSettings.Full();
        var task = new TaskSpec("countdown", Settings: s.TaskSettings).Create();

        var heldOut = HeldOut.Problems(task, s.EvalProblems);
        var rlPool = Ponder.Training.ProblemPool.Train(task, s.Rl.TrainProblems!.Value);
        var sftPool = ((ITraceTask)task).ProblemsUpTo(TaskSplit.Train, s.SftProblems);

        Assert.Equal(s.EvalProblems, heldOut.Count);
        Assert.Empty(heldOut.Select(p => p.Question).Intersect(rlPool.Concat(sftPool).Select(p => p.Question)));
    }

    [Fact]
    public void Given_a_train_curve_When_the_report_is_written_Then_it_has_a_row_per_point_with_its_interval()
    {
        var stages = new List<DemoRun.Stage>
        {
            new("SFT", new Dictionary<string, double> { ["pass@1"] = 0.44 }, 60),
            new("SFT + RL", new Dictionary<string, double> { ["pass@1"] = 0.56 }, 30),
        };
        Ponder.Plots.TrainPoint[] curve = [new(0, 2.5e13, 0.44, 0.40, 0.48), new(150, 3.6e13, 0.56, 0.52, 0.6)];

        string report = DemoReport.Write(DemoSettings.Full(), stages, [], 20, new DemoReport.Figures(curve, ""));

        Assert.Contains("| RL step | training FLOPs | pass@1 | 95 % interval |", report, StringComparison.Ordinal);
        Assert.Contains("| 0 | 2.50e13 | 44.0 % | 40.0 % – 48.0 % |", report, StringComparison.Ordinal);
        Assert.Contains("| 150 | 3.60e13 | 56.0 % | 52.0 % – 60.0 % |", report, StringComparison.Ordinal);
    }
}
