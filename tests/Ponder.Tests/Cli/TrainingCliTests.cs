using System.Text.Json;

namespace Ponder.Tests.Cli;

/// <summary>sft, eval, rl and grade end to end on a tiny model: outputs, run folders, resume, and one-line
/// errors.</summary>
public sealed class TrainingCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    string Tiny()
    {
        string model = dir.File("tiny");
        Assert.Equal(0, Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);
        return model;
    }

    [Fact]
    public void Given_pairs_Then_grade_prints_one_verdict_per_line()
    {
        string pairs = dir.File("pairs.jsonl");
        File.WriteAllLines(
            pairs,
            [
                """{"reference": "41", "answer": "12*5-19", "problem": {"numbers": "12 5 19 7", "target": "41"}}""",
                """{"reference": "41", "answer": "12*5-7", "problem": {"numbers": "12 5 19 7", "target": "41"}}""",
                """{"reference": "41", "answer": "(12+5)*7/19", "problem": {"numbers": "12 5 19 7", "target": "41"}}""",
            ]
        );
        var r = Run("grade", "--task", "countdown", "--pairs", pairs, "--json");
        Assert.True(r.Code == 0, r.Err);
        var verdicts = r
            .Out.TrimEnd()
            .Split('\n')
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("correct").GetBoolean())
            .ToArray();
        Assert.Equal([true, false, false], verdicts);

        File.WriteAllLines(
            pairs,
            [
                """{"reference": "1,234", "answer": "#### 1234"}""",
                """{"reference": "18", "answer": "The answer is 17."}""",
            ]
        );
        var g = Run("grade", "--task", "gsm8k", "--pairs", pairs, "--json");
        Assert.True(g.Code == 0, g.Err);
        Assert.Contains("\"correct\":true", g.Out.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("\"correct\":false", g.Out.Split('\n')[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_model_When_evaluated_Then_samples_and_metrics_are_written()
    {
        string model = Tiny(),
            samples = dir.File("samples.jsonl");
        var r = Run(
            "eval",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--limit",
            "3",
            "--samples",
            "2",
            "--temperature",
            "1",
            "--max-tokens",
            "16",
            "--k",
            "1,2",
            "--out",
            samples,
            "--runs-dir",
            dir.File("runs"),
            "--json"
        );
        Assert.True(r.Code == 0, r.Err);
        var metrics = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(3, metrics.GetProperty("problems").GetInt32());
        Assert.True(metrics.TryGetProperty("cons@2", out _));
        var lines = File.ReadAllLines(samples);
        Assert.Equal(6, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        foreach (
            var field in new[]
            {
                "problem_id",
                "sample_index",
                "text",
                "answer",
                "correct",
                "reasoning_tokens",
                "answer_tokens",
            }
        )
        {
            Assert.True(first.TryGetProperty(field, out _), field);
        }

        Assert.Single(Directory.GetDirectories(dir.File("runs")));
        // The same file scores to the same pass@1.
        var s = Run("score", "--samples", samples, "--k", "1,2", "--json");
        Assert.Equal(
            metrics.GetProperty("pass@1").GetDouble(),
            JsonDocument.Parse(s.Out).RootElement.GetProperty("pass@1").GetDouble(),
            9
        );
    }

    [Fact]
    public void Given_an_existing_out_file_When_eval_runs_Then_it_refuses_unless_forced()
    {
        string model = Tiny(),
            samples = dir.File("samples.jsonl");
        File.WriteAllText(samples, "keep me\n");
        string[] eval =
        [
            "eval",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--limit",
            "1",
            "--max-tokens",
            "4",
            "--out",
            samples,
            "--runs-dir",
            dir.File("runs"),
        ];

        var refused = Run(eval);
        Assert.NotEqual(0, refused.Code);
        Assert.Contains($"--out {samples}: the file exists; pass --force", refused.Err, StringComparison.Ordinal);
        Assert.Single(refused.Err.TrimEnd().Split('\n'));
        Assert.Equal("keep me\n", File.ReadAllText(samples));
        Assert.False(Directory.Exists(dir.File("runs")));

        var forced = Run([.. eval, "--force"]);
        Assert.True(forced.Code == 0, forced.Err);
        Assert.Single(File.ReadAllLines(samples));
        Assert.Contains("problem_id", File.ReadAllText(samples), StringComparison.Ordinal);
    }

    [Fact]
    public void Given_k_larger_than_samples_Then_eval_says_so()
    {
        var r = Run(
            "eval",
            "--model",
            Tiny(),
            "--task",
            "arithmetic",
            "--limit",
            "2",
            "--samples",
            "2",
            "--max-tokens",
            "4",
            "--k",
            "4",
            "--runs-dir",
            dir.File("runs")
        );
        Assert.NotEqual(0, r.Code);
        Assert.Contains("--k 4 is larger than --samples 2", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_unreachable_endpoint_Then_eval_fails_in_one_line()
    {
        var r = Run(
            "eval",
            "--endpoint",
            "http://127.0.0.1:9/v1",
            "--model-name",
            "m",
            "--task",
            "arithmetic",
            "--limit",
            "1",
            "--runs-dir",
            dir.File("runs")
        );
        Assert.NotEqual(0, r.Code);
        Assert.Contains("endpoint http://127.0.0.1:9/v1", r.Err, StringComparison.Ordinal);
        Assert.Contains("after 0 of 1 samples", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
    }

    /// <summary>The sft arguments but --steps: 40 arithmetic problems of up to 2 digits, batch 4, a checkpoint every 2
    /// steps.</summary>
    static string[] SftArgs(string model, string run) =>
        [
            "sft",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--task-option",
            "max-digits=2",
            "--train-problems",
            "40",
            "--out",
            run,
            "--batch-size",
            "4",
            "--eval-problems",
            "2",
            "--eval-max-tokens",
            "8",
            "--eval-every",
            "0",
            "--checkpoint-every",
            "2",
        ];

    /// <summary>The run records the task's settings, so it can be reproduced from its folder.</summary>
    static void AssertConfigRecordsTheTask(string run)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal(
            "2",
            config.RootElement.GetProperty("task_spec").GetProperty("Settings").GetProperty("max-digits").GetString()
        );
        Assert.Equal("arithmetic reference traces (40 problems)", config.RootElement.GetProperty("data").GetString());
    }

    [Fact]
    public void Given_an_sft_run_When_resumed_after_more_steps_are_asked_Then_it_continues_from_its_checkpoint()
    {
        string model = Tiny(),
            run = dir.File("sft");
        string[] common = SftArgs(model, run);
        Assert.Equal(0, Run([.. common, "--steps", "2"]).Code);
        AssertConfigRecordsTheTask(run);
        var again = Run([.. common, "--steps", "2"]);
        Assert.Contains("pass --resume", again.Err, StringComparison.Ordinal);
        // --train-problems 30
        var otherData = Run([.. common.Select(a => a == "40" ? "30" : a), "--steps", "4", "--resume"]);
        Assert.NotEqual(0, otherData.Code);
        Assert.Contains("--resume with the task and data options", otherData.Err, StringComparison.Ordinal);
        var resumed = Run([.. common, "--steps", "4", "--resume"]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("resuming", resumed.Err, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "model", "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(run, "loss.png")));
        File.WriteAllText(Path.Combine(run, "config.json"), "{");
        var corrupt = Run([.. common, "--steps", "6", "--resume"]);
        Assert.NotEqual(0, corrupt.Code);
        Assert.Contains("config.json: not valid JSON", corrupt.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_rl_run_When_resumed_with_another_architecture_Then_it_refuses()
    {
        string model = Tiny(),
            run = dir.File("rl");
        var r = Run(
            "rl",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--out",
            run,
            "--steps",
            "1",
            "--prompts",
            "2",
            "--group-size",
            "2",
            "--max-tokens",
            "8",
            "--eval-problems",
            "2",
            "--eval-samples",
            "1",
            "--checkpoint-every",
            "1"
        );
        Assert.True(r.Code == 0, r.Err);
        Assert.True(File.Exists(Path.Combine(run, "metrics.db")));
        string other = dir.File("other");
        Assert.Equal(0, Run("init", "--out", other, "--preset", "tiny", "--arch", "llama").Code);
        var resumed = Run("rl", "--model", other, "--task", "arithmetic", "--out", run, "--steps", "2", "--resume");
        Assert.NotEqual(0, resumed.Code);
        Assert.Contains("architecture differs", resumed.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rl", "--group-size", "1", "--group-size 1")]
    [InlineData("rl", "--algo", "ppo", "--algo ppo: unknown algorithm")]
    [InlineData("rl", "--kl-in", "value", "--kl-in value")]
    [InlineData("rl", "--train-problems", "0", "--train-problems 0: must be at least 1")]
    [InlineData(
        "sft",
        "--draw-share",
        "1.5",
        "--draw-share 1.5: use 0 to 0.9 (that share of the examples drawn, the rest distinct problems) "
            + "or 1 (draws only)."
    )]
    [InlineData("sft", "--draw-share", "0.95", "--draw-share 0.95: use 0 to 0.9")]
    [InlineData("sft", "--train-problems", "0", "--train-problems 0: must be at least 1.")]
    public void Given_bad_training_options_Then_the_error_names_them(
        string command,
        string option,
        string value,
        string expected
    )
    {
        var r = Run(command, "--model", Tiny(), "--task", "arithmetic", "--out", dir.File("x"), option, value);
        Assert.NotEqual(0, r.Code);
        Assert.Contains(expected, r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_dataset_task_without_data_Then_the_error_asks_for_it()
    {
        var r = Run("eval", "--model", Tiny(), "--task", "gsm8k");
        Assert.Contains("--data FILE.jsonl", r.Err, StringComparison.Ordinal);
    }
}
