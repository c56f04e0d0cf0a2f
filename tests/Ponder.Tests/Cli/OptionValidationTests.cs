using System.CommandLine;

namespace Ponder.Tests.Cli;

/// <summary>Every option is checked before any work (before a model is loaded or a step is trained), and a bad one
/// ends in one line naming the option and its value, never in help text or a stack trace.</summary>
public sealed class OptionValidationTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    string Tiny()
    {
        string model = dir.File("tiny");
        if (!Directory.Exists(model))
            Assert.Equal(0, Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);
        return model;
    }

    static void AssertOneLineError((int Code, string Out, string Err) r, string expected)
    {
        Assert.NotEqual(0, r.Code);
        Assert.Contains(expected, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Description:", r.Out + r.Err, StringComparison.Ordinal);
    }

    /// <summary>An sft run of one step on 8 two-digit arithmetic problems, evaluated on 2, into run/; an
    /// <paramref name="option"/> given replaces its default here.</summary>
    string[] Sft(string option, string value)
    {
        var options = new Dictionary<string, string>
        {
            ["--model"] = Tiny(),
            ["--task"] = "arithmetic",
            ["--task-option"] = "max-digits=2",
            ["--train-problems"] = "8",
            ["--out"] = dir.File("run"),
            ["--steps"] = "1",
            ["--batch-size"] = "2",
            ["--eval-every"] = "0",
            ["--eval-problems"] = "2",
            ["--eval-max-tokens"] = "8",
        };
        options[option] = value;
        return ["sft", .. options.SelectMany(kv => new[] { kv.Key, kv.Value })];
    }

    [Theory]
    [InlineData("--eval-max-tokens", "5000", "--eval-max-tokens 5000")]
    [InlineData("--eval-max-tokens", "0", "--eval-max-tokens 0")]
    [InlineData("--eval-problems", "0", "--eval-problems 0")]
    [InlineData("--max-seq-len", "5000", "--max-seq-len 5000")]
    public void Given_an_sft_option_read_only_late_When_sft_starts_Then_it_is_refused_before_training(
        string option,
        string value,
        string expected
    )
    {
        var r = Run(Sft(option, value));

        AssertOneLineError(r, expected);
        Assert.False(Directory.Exists(dir.File("run")), "a run folder was made: training started");
    }

    [Fact]
    public void Given_a_max_seq_len_that_leaves_no_target_tokens_When_sft_starts_Then_it_says_which_option_to_raise()
    {
        var r = Run(Sft("--max-seq-len", "5"));

        AssertOneLineError(r, "--max-seq-len 5");
        Assert.Contains("no target tokens", r.Err, StringComparison.Ordinal);
        Assert.Contains("raise --max-seq-len", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.File("run"), "model", "model.safetensors")));
    }

    [Fact]
    public void Given_rl_max_tokens_beyond_the_context_When_rl_starts_Then_it_is_refused_before_the_run_folder()
    {
        string run = dir.File("rl");
        var r = Run("rl", "--model", Tiny(), "--task", "arithmetic", "--out", run, "--max-tokens", "5000");

        AssertOneLineError(r, "--max-tokens 5000");
        Assert.False(Directory.Exists(run));
    }

    /// <summary>The model directory does not exist: an option error, not "model directory not found", shows the
    /// option was checked before the model was loaded.</summary>
    [Theory]
    [InlineData("eval --task arithmetic --limit 0", "--limit 0")]
    [InlineData("eval --task arithmetic --samples 2 --k 4", "--k 4 is larger than --samples 2")]
    [InlineData("eval --task arithmetic --temperature -1", "temperature -1 is out of range")]
    [InlineData("eval --task arithmetic --top-p 2", "top-p 2 is out of range")]
    [InlineData("rl --task arithmetic --out OUT --eval-every -1", "--eval-every -1")]
    [InlineData("rl --task arithmetic --out OUT --monitor-penalty 0.5", "--monitor-penalty 0.5 needs a CoT monitor")]
    [InlineData("rl --task arithmetic --out OUT --monitor-penalty -1", "--monitor-penalty -1: must be 0 (off) or more")]
    [InlineData("scale --task arithmetic --limit 0", "--limit 0")]
    [InlineData("scale --task arithmetic --temperature -1", "temperature -1")]
    [InlineData("scorer train --task arithmetic --out OUT --max-tokens 0", "--max-tokens 0")]
    [InlineData("serve --max-concurrency 0", "--max-concurrency 0")]
    [InlineData("serve --max-queue -1", "--max-queue -1")]
    [InlineData("serve --max-completion-tokens 0", "--max-completion-tokens 0")]
    [InlineData("serve --port 70000", "--port 70000")]
    [InlineData("serve --summarizer poetry", "--summarizer poetry")]
    [InlineData("bench serve --max-concurrency 0", "--max-concurrency 0")]
    [InlineData("bench train --threads -1", "--threads -1")]
    public void Given_a_bad_option_and_a_missing_model_Then_the_option_is_named_before_the_model_is_read(
        string command,
        string expected
    )
    {
        string missing = dir.File("no-model");
        var args = command.Replace("OUT", dir.File("out"), StringComparison.Ordinal).Split(' ').ToList();
        int verbs = args[0] is "scorer" or "bench" ? 2 : 1;
        args.InsertRange(verbs, [args[0] == "scorer" ? "--policy" : "--model", missing]);

        AssertOneLineError(Run([.. args]), expected);
    }

    [Fact]
    public void Given_an_unparsable_number_Then_one_line_names_the_option_and_the_value()
    {
        var r = Run(Sft("--steps", "abc"));

        AssertOneLineError(r, "--steps abc");
        Assert.DoesNotContain("System.", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_missing_required_option_Then_one_line_names_it_without_the_help_text()
    {
        AssertOneLineError(Run("sft", "--task", "arithmetic"), "--model");
    }

    [Fact]
    public void Given_a_negative_seed_Then_one_line_names_the_option_and_its_range()
    {
        var r = Run("init", "--out", dir.File("m"), "--seed", "-1");

        AssertOneLineError(r, "--seed -1");
        Assert.Contains("0 to", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("m")));
    }

    /// <summary>Every command: the command path and each of its options.</summary>
    static IEnumerable<(string Path, Option Option)> AllOptions(Command command, string path)
    {
        foreach (var o in command.Options)
            yield return (path, o);
        foreach (var sub in command.Subcommands)
        {
            foreach (var x in AllOptions(sub, $"{path} {sub.Name}"))
                yield return x;
        }
    }

    static RootCommand Root() => Ponder.Cli.Cli.CreateRoot(new(TextWriter.Null, TextWriter.Null, null!));

    [Fact]
    public void Given_every_command_Then_every_option_has_a_description()
    {
        var undescribed = AllOptions(Root(), "ponder")
            .Where(x => string.IsNullOrWhiteSpace(x.Option.Description))
            .Select(x => $"{x.Path} {x.Option.Name}")
            .ToList();

        Assert.True(undescribed.Count == 0, "no description: " + string.Join(", ", undescribed));
    }

    [Fact]
    public void Given_every_command_with_a_seed_When_it_is_negative_Then_parsing_refuses_it()
    {
        var root = Root();
        var seeded = AllOptions(root, "ponder").Where(x => x.Option.Name is "--seed" or "--task-seed").ToList();
        Assert.True(seeded.Count >= 8, $"{seeded.Count} seed options");

        foreach (var (path, option) in seeded)
        {
            var words = path.Split(' ')[1..];
            var errors = root.Parse([.. words, option.Name, "-1"]).Errors.Select(e => e.Message);
            Assert.Contains(errors, e => e.StartsWith($"{option.Name} -1:", StringComparison.Ordinal));
        }
    }
}
