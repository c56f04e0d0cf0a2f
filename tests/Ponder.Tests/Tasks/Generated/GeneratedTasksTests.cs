using Ponder.Tasks;
using Ponder.Tasks.Generated;

namespace Ponder.Tests.Tasks.Generated;

public sealed class GeneratedTasksTests
{
    static readonly Dictionary<string, string> NoSettings = [];

    [Theory]
    [InlineData("arithmetic")]
    [InlineData("countdown")]
    public void Given_the_same_seed_then_the_same_problems_and_another_seed_gives_others(string name)
    {
        var a = GeneratedTasks.Create(name, NoSettings, seed: 1).Problems(TaskSplit.Train, 300);
        var b = GeneratedTasks.Create(name, NoSettings, seed: 1).Problems(TaskSplit.Train, 300);
        var c = GeneratedTasks.Create(name, NoSettings, seed: 2).Problems(TaskSplit.Train, 300);

        Assert.Equal(a.Select(p => p.Id), b.Select(p => p.Id));
        Assert.NotEqual(a.Select(p => p.Id), c.Select(p => p.Id));
        Assert.Equal(
            a.Take(100).Select(p => p.Id),
            GeneratedTasks.Create(name, NoSettings, 1).Problems(TaskSplit.Train, 100).Select(p => p.Id)
        );
    }

    [Fact]
    public void Given_train_and_test_then_keys_are_disjoint_and_lists_have_no_duplicates()
    {
        foreach (
            var (name, key) in new (string, Func<Problem, string>)[]
            {
                (
                    "arithmetic",
                    p =>
                        ArithmeticTask.Key(
                            long.Parse(p.Metadata["a"]),
                            p.Metadata["op"][0],
                            long.Parse(p.Metadata["b"])
                        )
                ),
                (
                    "countdown",
                    p =>
                        CountdownTask.Key(
                            [.. p.Metadata["numbers"].Split(' ').Select(int.Parse)],
                            int.Parse(p.Reference)
                        )
                ),
            }
        )
        {
            // Different seeds: disjointness must hold by construction, not because both came from one stream.
            var train = GeneratedTasks
                .Create(name, NoSettings, seed: 3)
                .Problems(TaskSplit.Train, 2000)
                .Select(key)
                .ToList();
            var test = GeneratedTasks
                .Create(name, NoSettings, seed: 4)
                .Problems(TaskSplit.Test, 200)
                .Select(key)
                .ToList();

            Assert.Equal(train.Count, train.Distinct().Count());
            Assert.Equal(test.Count, test.Distinct().Count());
            Assert.Empty(train.Intersect(test));
        }
    }

    [Fact]
    public void Given_a_commuted_test_problem_then_it_is_still_test()
    {
        var test = new ArithmeticTask(new ArithmeticOptions { Operations = "*" }).Problems(TaskSplit.Test, 50);

        foreach (var p in test)
        {
            Assert.Equal(
                TaskSplit.Test,
                StableHash.SplitOf(ArithmeticTask.Key(long.Parse(p.Metadata["b"]), '*', long.Parse(p.Metadata["a"])))
            );
        }
    }

    [Fact]
    public void Given_the_test_split_then_operations_are_as_balanced_as_in_train()
    {
        // Unmixed FNV-1a % 10 put far more '-' problems into test ('-' is an odd byte, '*' even).
        var test = new ArithmeticTask(new ArithmeticOptions()).Problems(TaskSplit.Test, 900);

        foreach (var op in new[] { "+", "-", "*" })
            Assert.InRange(test.Count(p => p.Metadata["op"] == op), 250, 350);
    }

    [Fact]
    public void Given_fnv1a_then_it_matches_the_published_test_vectors()
    {
        Assert.Equal(0xcbf29ce484222325UL, StableHash.Fnv1a(""));
        Assert.Equal(0xaf63dc4c8601ec8cUL, StableHash.Fnv1a("a"));
        Assert.Equal(0x85944171f73967e8UL, StableHash.Fnv1a("foobar"));
    }

    [Fact]
    public void Given_arithmetic_settings_then_they_reach_the_options()
    {
        var arithmetic = (ArithmeticTask)
            GeneratedTasks.Create(
                "arithmetic",
                new Dictionary<string, string>
                {
                    ["min-digits"] = "1",
                    ["max-digits"] = "4",
                    ["operations"] = "+*",
                },
                seed: 9
            );

        Assert.Equal(
            new ArithmeticOptions
            {
                Seed = 9,
                MinDigits = 1,
                MaxDigits = 4,
                Operations = "+*",
            },
            arithmetic.Options
        );
    }

    [Fact]
    public void Given_countdown_settings_then_they_reach_the_options()
    {
        var countdown = (CountdownTask)
            GeneratedTasks.Create(
                "countdown",
                new Dictionary<string, string>
                {
                    ["numbers"] = "3",
                    ["max-number"] = "99",
                    ["path-only"] = "true",
                },
                seed: 9
            );
        var unguided = (CountdownTask)
            GeneratedTasks.Create("countdown", new Dictionary<string, string> { ["guided"] = "false" }, seed: 1);
        var scan = (CountdownTask)
            GeneratedTasks.Create(
                "countdown",
                new Dictionary<string, string> { ["guided"] = "false", ["scan"] = "true" },
                seed: 1
            );

        Assert.Equal(
            new CountdownOptions
            {
                Seed = 9,
                Numbers = 3,
                MaxNumber = 99,
                PathOnly = true,
            },
            countdown.Options
        );
        Assert.Equal(new CountdownOptions { Seed = 1, Guided = false }, unguided.Options);
        Assert.Equal(
            new CountdownOptions
            {
                Seed = 1,
                Guided = false,
                Scan = true,
            },
            scan.Options
        );
    }

    [Theory]
    [InlineData(
        "countdown",
        "nums",
        "4",
        "countdown: unknown setting \"nums\"; known: numbers, min-number, max-number, min-target, max-target, "
            + "max-trace-lines, guided, scan, path-only, all-needed"
    )]
    [InlineData(
        "arithmetic",
        "digits",
        "3",
        "arithmetic: unknown setting \"digits\"; known: min-digits, max-digits, operations, tool"
    )]
    [InlineData("countdown", "numbers", "four", "countdown: setting numbers=\"four\" is not an integer")]
    [InlineData("countdown", "path-only", "maybe", "countdown: setting path-only=\"maybe\" must be true or false")]
    public void Given_an_unknown_or_unreadable_setting_then_the_message_says_what_to_change(
        string name,
        string key,
        string value,
        string message
    ) => AssertRefused(name, new Dictionary<string, string> { [key] = value }, message);

    [Theory]
    [InlineData("countdown", "numbers", "7", "countdown: numbers must be between 2 and 6 (got 7)")]
    [InlineData(
        "countdown",
        "path-only",
        "true",
        "countdown: path-only traces have no search to guide; drop guided=false or path-only=true",
        "guided",
        "false"
    )]
    [InlineData(
        "countdown",
        "max-trace-lines",
        "2",
        "countdown: max-trace-lines must be ≥ numbers − 1 = 3, the length of the longest solution (got 2)"
    )]
    [InlineData(
        "arithmetic",
        "operations",
        "+/",
        "arithmetic: operations must be a non-empty subset of \"+-*\" (got \"+/\")"
    )]
    [InlineData(
        "arithmetic",
        "operations",
        "++",
        "arithmetic: operations must list each of + - * at most once (got \"++\")"
    )]
    [InlineData(
        "arithmetic",
        "max-digits",
        "10",
        "arithmetic: max-digits must be between min-digits (2) and 9 (got 10)"
    )]
    [InlineData("arithmetic", "min-digits", "0", "arithmetic: min-digits must be between 1 and 9 (got 0)")]
    public void Given_an_out_of_range_or_conflicting_setting_then_the_message_says_what_to_change(
        string name,
        string key,
        string value,
        string message,
        string? key2 = null,
        string? value2 = null
    )
    {
        var settings = new Dictionary<string, string> { [key] = value };
        if (key2 is not null)
            settings[key2] = value2!;
        AssertRefused(name, settings, message);
    }

    static void AssertRefused(string name, Dictionary<string, string> settings, string message)
    {
        var e = Assert.Throws<PonderException>(() => GeneratedTasks.Create(name, settings, 0));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Given_an_unknown_task_or_no_count_then_a_clear_error()
    {
        Assert.Equal(
            "unknown generated task \"sudoku\"; known: arithmetic, countdown",
            Assert.Throws<PonderException>(() => GeneratedTasks.Create("sudoku", NoSettings, 0)).Message
        );
        Assert.Contains(
            "needs a problem count",
            Assert
                .Throws<PonderException>(() =>
                    GeneratedTasks.Create("countdown", NoSettings, 0).Problems(TaskSplit.Test, null)
                )
                .Message,
            StringComparison.Ordinal
        );
    }
}
