using System.Text.Json;

namespace Ponder.Tests.Cli;

/// <summary><c>ponder scorer train</c>, <c>ponder eval --scorer</c> and <c>ponder scale</c> end to end on a tiny
/// random model, and their one-line errors for bad input.</summary>
public sealed class TestTimeCommandTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Ponder.Cli.Cli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    string InitModel(string name = "model", string arch = "qwen2")
    {
        string model = dir.File(name);
        var (code, _, err) = Run("init", "--out", model, "--preset", "tiny", "--arch", arch, "--seed", "3");
        Assert.True(code == 0, err);
        return model;
    }

    static void AssertOneLineError((int Code, string Out, string Err) r, string expected)
    {
        Assert.NotEqual(0, r.Code);
        Assert.Contains(expected, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
    }

    /// <summary><c>ponder scorer train</c> on 4 arithmetic problems, 2 samples each, 2 steps of batch 2.</summary>
    static (int Code, string Out, string Err) TrainScorer(string model, string scorer, params string[] extra) =>
        TrainScorerAs("scorer", model, scorer, extra);

    /// <summary>As <see cref="TrainScorer"/>, with the verb <paramref name="verb"/>.</summary>
    static (int Code, string Out, string Err) TrainScorerAs(string verb, string model, string scorer, string[] extra) =>
        Run([
            verb,
            "train",
            "--policy",
            model,
            "--task",
            "arithmetic",
            "--problems",
            "4",
            "--samples-per-problem",
            "2",
            "--max-tokens",
            "12",
            "--steps",
            "2",
            "--batch-size",
            "2",
            .. extra,
            "--out",
            scorer,
        ]);

    [Fact]
    public void Given_a_policy_When_a_scorer_is_trained_and_used_by_eval_Then_samples_get_scores_and_rerank()
    {
        string model = InitModel();
        string scorer = dir.File("scorer");
        // A random model gets every problem wrong: by default such problems are left out, and nothing is left.
        var onlyWrong = TrainScorer(model, scorer);
        Assert.Equal(1, onlyWrong.Code);
        Assert.Contains(
            "no training problem had both correct and incorrect samples",
            onlyWrong.Err,
            StringComparison.Ordinal
        );
        var train = TrainScorer(model, scorer, "--all-problems");
        Assert.True(train.Code == 0, train.Err);
        Assert.Contains("held-out:", train.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(scorer, "scorer_head.safetensors")));
        Assert.True(File.Exists(Path.Combine(scorer, "scorer.json")));

        string samples = dir.File("samples.jsonl");
        var eval = Run(
            "eval",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--limit",
            "2",
            "--samples",
            "2",
            "--max-tokens",
            "12",
            "--temperature",
            "1",
            "--scorer",
            scorer,
            "--out",
            samples,
            "--runs-dir",
            dir.File("runs"),
            "--json"
        );
        Assert.True(eval.Code == 0, eval.Err);
        Assert.Contains("rerank@2", eval.Out, StringComparison.Ordinal);
        Assert.Contains("weighted@2", eval.Out, StringComparison.Ordinal);
        foreach (var line in File.ReadAllLines(samples))
        {
            using var doc = JsonDocument.Parse(line);
            Assert.InRange(doc.RootElement.GetProperty("score").GetDouble(), 0, 1);
        }
        AssertRefusedForAnotherArchitecture(scorer);
    }

    /// <summary>A qwen2 scorer used by eval with a llama policy.</summary>
    void AssertRefusedForAnotherArchitecture(string scorer)
    {
        string other = InitModel("llama", "llama");
        AssertOneLineError(
            Run(
                "eval",
                "--model",
                other,
                "--task",
                "arithmetic",
                "--limit",
                "1",
                "--max-tokens",
                "4",
                "--scorer",
                scorer,
                "--runs-dir",
                dir.File("runs")
            ),
            "was trained for a qwen2 policy, not llama"
        );
    }

    [Trait(Lanes.Category, Lanes.Slow)]
    [Fact]
    public void Given_a_tiny_model_When_scale_runs_Then_the_table_json_and_png_are_written()
    {
        string model = InitModel();
        string outDir = dir.File("scale");
        var r = Run(
            "scale",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--limit",
            "2",
            "--budgets",
            "0,4",
            "--samples",
            "1,2",
            "--answer-tokens",
            "4",
            "--out",
            outDir
        );
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("| budget | N | strategy |", r.Out, StringComparison.Ordinal);
        foreach (var f in new[] { "scale.md", "scale.json", "scale.png" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
    }

    [Trait(Lanes.Category, Lanes.Slow)]
    [Fact]
    public void Given_a_process_scorer_When_scale_runs_beam_dvts_and_deepconf_Then_each_is_in_the_table()
    {
        string model = InitModel();
        string prm = dir.File("prm");
        var trained = TrainScorer(model, prm, "--process", "--rollouts-per-step", "2", "--steps-by", "1");
        Assert.True(trained.Code == 0, trained.Err);
        Assert.Contains("step AUC", trained.Out, StringComparison.Ordinal);
        Assert.Contains(
            "\"kind\": \"process\"",
            File.ReadAllText(Path.Combine(prm, "scorer.json")),
            StringComparison.Ordinal
        );

        var r = Run(
            "scale",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--limit",
            "2",
            "--budgets",
            "4",
            "--samples",
            "1,2",
            "--answer-tokens",
            "4",
            "--scorer",
            prm,
            "--beam-width",
            "2",
            "--strategies",
            "majority,weighted,deepconf,beam,dvts",
            "--out",
            dir.File("scale")
        );

        Assert.True(r.Code == 0, r.Err);
        foreach (string row in new[] { "| cons |", "| weighted |", "| deepconf |", "| beam |", "| dvts |" })
            Assert.Contains(row, r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_bad_strategy_input_Then_one_line_errors_name_what_to_change()
    {
        string model = InitModel();
        string outcome = dir.File("outcome");
        Assert.Equal(0, TrainScorer(model, outcome, "--all-problems").Code);
        AssertOneLineError(
            Run("scale", "--model", model, "--task", "arithmetic", "--strategies", "magic", "--out", dir.File("s")),
            "--strategies magic: unknown strategy"
        );
        AssertOneLineError(
            Run("scale", "--model", model, "--task", "arithmetic", "--strategies", "beam", "--out", dir.File("s")),
            "scorer train --process"
        );
        AssertOneLineError(
            Run(
                "scale",
                "--model",
                model,
                "--task",
                "arithmetic",
                "--scorer",
                outcome,
                "--strategies",
                "dvts",
                "--samples",
                "4",
                "--budgets",
                "4",
                "--out",
                dir.File("s")
            ),
            "scorer train --process"
        );
        AssertOneLineError(
            Run(
                "scale",
                "--model",
                model,
                "--task",
                "arithmetic",
                "--strategies",
                "beam",
                "--samples",
                "1,3",
                "--beam-width",
                "2",
                "--out",
                dir.File("s")
            ),
            "a multiple of the beam width"
        );
        AssertOneLineError(TrainScorer(model, dir.File("p2"), "--process", "--steps-by", " "), "--steps-by");
    }

    [Fact]
    public void Given_bad_scale_input_Then_one_line_errors_name_what_to_change()
    {
        string model = InitModel();
        AssertOneLineError(
            Run("scale", "--model", model, "--task", "arithmetic", "--budgets", "64,4096", "--out", dir.File("s")),
            "--budgets 4096 is larger than the model's context of 1024 tokens"
        );
        AssertOneLineError(
            Run("scale", "--model", model, "--task", "arithmetic", "--samples", "1,0", "--out", dir.File("s")),
            "sample counts must be positive"
        );
        AssertOneLineError(
            Run("scale", "--model", model, "--task", "arithmetic", "--samples", "1,x", "--out", dir.File("s")),
            "--samples x: not an integer"
        );
    }

    [Fact]
    public void Given_bad_scorer_input_Then_one_line_errors_name_what_to_change()
    {
        string model = InitModel();
        AssertOneLineError(
            Run(
                "scorer",
                "train",
                "--policy",
                model,
                "--task",
                "arithmetic",
                "--samples-per-problem",
                "0",
                "--out",
                dir.File("v")
            ),
            "--samples-per-problem 0 must be at least 1"
        );
        AssertOneLineError(
            Run(
                "eval",
                "--endpoint",
                "http://127.0.0.1:1/v1",
                "--model-name",
                "m",
                "--task",
                "arithmetic",
                "--scorer",
                dir.File("v")
            ),
            "use it with a local --model"
        );
        AssertOneLineError(
            Run(
                "scale",
                "--model",
                model,
                "--task",
                "arithmetic",
                "--scorer",
                dir.File("nothing"),
                "--budgets",
                "4",
                "--samples",
                "1"
            ),
            "not a scorer directory"
        );
    }

    [Fact]
    public void Given_the_earlier_names_verifier_and_dash_dash_verifier_Then_they_still_train_and_score()
    {
        string model = InitModel();
        string scorer = dir.File("scorer");
        var train = TrainScorerAs("verifier", model, scorer, ["--all-problems"]);
        string[] eval = ["eval", "--model", model, "--task", "arithmetic", "--limit", "2", "--max-tokens", "4"];
        string[] scale = ["scale", "--model", model, "--task", "arithmetic", "--limit", "2", "--budgets", "2"];

        var evaluated = Run([.. eval, "--verifier", scorer, "--runs-dir", dir.File("runs")]);
        var scaled = Run([
            .. scale,
            "--samples",
            "1",
            "--answer-tokens",
            "2",
            "--verifier",
            scorer,
            "--out",
            dir.File("s"),
        ]);

        Assert.True(train.Code == 0, train.Err);
        Assert.True(File.Exists(Path.Combine(scorer, "scorer.json")));
        Assert.True(evaluated.Code == 0, evaluated.Err);
        Assert.Contains("rerank@1", evaluated.Out + evaluated.Err, StringComparison.Ordinal);
        Assert.True(scaled.Code == 0, scaled.Err);
        Assert.Contains("rerank", scaled.Out, StringComparison.Ordinal);
    }
}
