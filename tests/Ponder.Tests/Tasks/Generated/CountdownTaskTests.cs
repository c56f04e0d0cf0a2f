using Ponder.Tasks;
using Ponder.Tasks.Generated;

namespace Ponder.Tests.Tasks.Generated;

public sealed class CountdownTaskTests
{
    [Fact]
    public void Given_a_problem_then_prompt_id_and_metadata_are_compact_and_self_contained()
    {
        var task = new CountdownTask(new CountdownOptions());
        var problem = CountdownTask.Create([12, 5, 7, 9], 41);

        Assert.Equal("Use 12 5 7 9 to make 41 with + - * /, each number at most once.", task.Prompt(problem));
        Assert.Equal("countdown-5,7,9,12=41", problem.Id);
        Assert.Equal("41", problem.Reference);
        Assert.Equal("12 5 7 9", problem.Metadata["numbers"]);
        Assert.Equal("41", problem.Metadata["target"]);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Given_generated_problems_then_each_is_solvable_and_its_trace_ends_with_a_correct_answer(int numbers)
    {
        var options = new CountdownOptions { Numbers = numbers, Seed = 7 };
        var task = new CountdownTask(options);
        var rng = new Random(1);

        foreach (var problem in task.Problems(TaskSplit.Train, numbers == 5 ? 60 : 300))
        {
            var values = problem.Metadata["numbers"].Split(' ').Select(long.Parse).ToList();
            long target = long.Parse(problem.Reference);
            var (reasoning, answer) = task.Trace(problem, rng)!.Value;
            string[] lines = reasoning.Split('\n');

            Assert.True(CountdownSolver.Solvable(values, target));
            Assert.DoesNotContain(target, values);
            Assert.InRange(target, options.MinTarget, options.MaxTarget);
            Assert.True(task.Grade(problem, answer).Correct, $"{problem.Id}: {answer}");
            Assert.EndsWith($"={target}", lines[^1]); // the search ends on the target
            Assert.InRange(lines.Length, 1, options.MaxTraceLines);
        }
    }

    [Fact]
    public void Given_a_search_trace_then_lines_are_true_moves_and_indentation_never_skips_a_level()
    {
        var task = new CountdownTask(new CountdownOptions());

        foreach (var problem in task.Problems(TaskSplit.Train, 100))
        {
            int depth = 0;
            foreach (string line in task.Trace(problem, new Random(3))!.Value.Reasoning.Split('\n'))
            {
                int indent = line.Length - line.TrimStart(' ').Length;
                Assert.True(indent <= depth, $"{problem.Id}: {line}");
                depth = line.EndsWith(" x", StringComparison.Ordinal) ? indent : indent + 1;
                var step = System.Text.RegularExpressions.Regex.Match(line, @"^ *(\d+)([-+*/])(\d+)=(\d+)");
                long a = long.Parse(step.Groups[1].Value),
                    b = long.Parse(step.Groups[3].Value),
                    r = long.Parse(step.Groups[4].Value);
                Assert.True(a >= b && r > 0, line);
                Assert.Equal(
                    step.Groups[2].Value switch
                    {
                        "+" => a + b,
                        "-" => a - b,
                        "*" => a * b,
                        _ => a / b,
                    },
                    r
                );
                Assert.True(step.Groups[2].Value != "/" || a % b == 0, line);
            }
        }
    }

    [Fact]
    public void Given_the_same_problem_and_rng_seed_then_the_trace_is_the_same_and_another_seed_can_differ()
    {
        var task = new CountdownTask(new CountdownOptions());
        var problems = task.Problems(TaskSplit.Train, 50);

        var first = problems.Select(p => task.Trace(p, new Random(5))!.Value).ToList();
        var again = problems.Select(p => task.Trace(p, new Random(5))!.Value).ToList();
        var other = problems.Select(p => task.Trace(p, new Random(6))!.Value).ToList();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Given_all_needed_then_no_problem_can_be_solved_with_fewer_than_all_its_numbers()
    {
        var task = new CountdownTask(
            new CountdownOptions
            {
                Numbers = 3,
                MaxNumber = 10,
                AllNumbersNeeded = true,
            }
        );
        var problems = task.Problems(TaskSplit.Train, 200);

        foreach (var p in problems)
        {
            long[] numbers = [.. p.Metadata["numbers"].Split(' ').Select(long.Parse)];
            long target = long.Parse(p.Metadata["target"]);
            // every pair (and single number) alone: the target must be out of its reach
            for (int skip = 0; skip < 3; skip++)
                Assert.False(CountdownSolver.Solvable([.. numbers.Where((_, i) => i != skip)], target), p.Id);
            Assert.True(CountdownSolver.Solvable(numbers, target), p.Id);
        }
        // without the option, some problems of the same stream have a one-operation solution
        var loose = new CountdownTask(new CountdownOptions { Numbers = 3, MaxNumber = 10 }).Problems(
            TaskSplit.Train,
            200
        );
        Assert.Contains(
            loose,
            p =>
                CountdownSolver
                    .Shortest(
                        [.. p.Metadata["numbers"].Split(' ').Select(long.Parse)],
                        long.Parse(p.Metadata["target"])
                    )!
                    .Steps()
                    .Count() == 1
        );
    }

    [Fact]
    public void Given_path_only_then_the_trace_is_a_shortest_solution_without_dead_ends()
    {
        var task = new CountdownTask(new CountdownOptions { PathOnly = true });
        var problem = CountdownTask.Create([12, 5, 7, 9], 41);

        var (reasoning, answer) = task.Trace(problem, new Random(0))!.Value;

        Assert.Equal(3, reasoning.Split('\n').Length); // 41 needs all four numbers: three moves
        Assert.DoesNotContain(" x", reasoning, StringComparison.Ordinal);
        Assert.True(task.Grade(problem, answer).Correct, answer);
    }

    [Fact]
    public void Given_a_tight_line_cap_then_the_trace_still_ends_with_the_solution()
    {
        var task = new CountdownTask(new CountdownOptions { MaxTraceLines = 3 });

        foreach (var problem in task.Problems(TaskSplit.Train, 100))
        {
            var (reasoning, answer) = task.Trace(problem, new Random(2))!.Value;

            Assert.True(reasoning.Split('\n').Length <= 3, reasoning);
            Assert.True(task.Grade(problem, answer).Correct, answer);
        }
    }

    [Fact]
    public void Given_unguided_traces_then_every_line_is_search_within_the_cap_and_problems_it_misses_have_none()
    {
        // Three numbers 1–10, at most 4 lines: the searches that reach the target in 4 lines, in one of 8 move orders.
        var options = new CountdownOptions
        {
            Numbers = 3,
            MaxNumber = 10,
            MaxTraceLines = 4,
            Guided = false,
        };
        var task = new CountdownTask(options);
        var guided = new CountdownTask(options with { Guided = true });
        int missing = 0;

        foreach (var problem in task.Problems(TaskSplit.Train, 200))
        {
            if (task.Trace(problem, new Random(4)) is not var (reasoning, answer))
            {
                missing++;
                continue;
            }
            string[] lines = reasoning.Split('\n');
            Assert.InRange(lines.Length, 1, 4);
            Assert.True(task.Grade(problem, answer).Correct, answer);
            Assert.EndsWith($"={problem.Reference}", lines[^1]);
            // Unguided, the search never skips a move it would have tried: every line before the last is a move the
            // heuristic order made, and no earlier line reached the target.
            Assert.DoesNotContain(
                lines[..^1],
                l =>
                    l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]
                        .EndsWith($"={problem.Reference}", StringComparison.Ordinal)
            );
        }

        // Some problems need more than 4 lines in all 8 orders; guided, the same problems end in a solution within the
        // same 4 lines.
        Assert.InRange(missing, 10, 100);
        Assert.All(
            task.Problems(TaskSplit.Train, 200),
            p => Assert.InRange(guided.Trace(p, new Random(4))!.Value.Reasoning.Split('\n').Length, 1, 4)
        );
    }

    [Fact]
    public void Given_scan_traces_Then_first_moves_come_in_prompt_order_until_one_hits_else_the_search_follows()
    {
        var options = new CountdownOptions
        {
            Numbers = 3,
            MaxNumber = 10,
            MaxTraceLines = 6,
            Scan = true,
        };
        var task = new CountdownTask(options);
        var search = new CountdownTask(options with { Scan = false });
        int oneMove = 0,
            searched = 0;

        foreach (var problem in task.Problems(TaskSplit.Train, 200))
        {
            if (AssertScanTrace(task, problem))
                oneMove++;
            else
                searched++;
        }
        // About a third of this setting's problems have a one-move solution.
        Assert.InRange(oneMove, 30, 110);
        Assert.InRange(searched, 90, 170);
        Assert.Throws<PonderException>(() => new CountdownTask(options with { PathOnly = true }));
    }

    /// <summary>The scan's order, written out: pairs in prompt order, larger number first, then + * - / (no zero or
    /// fractional results).</summary>
    static string[] ScanOrder(long[] numbers) =>
        (
            from i in Enumerable.Range(0, 3)
            from j in Enumerable.Range(i + 1, 2 - i)
            let a = Math.Max(numbers[i], numbers[j])
            let b = Math.Min(numbers[i], numbers[j])
            from line in new[]
            {
                $"{a}+{b}={a + b}",
                $"{a}*{b}={a * b}",
                a > b ? $"{a}-{b}={a - b}" : "",
                a % b == 0 ? $"{a}/{b}={a / b}" : "",
            }
            where line.Length > 0
            select line
        ).ToArray();

    /// <summary>Checks one problem's scan trace of 3 numbers; returns whether a first move made the target.</summary>
    static bool AssertScanTrace(CountdownTask task, Problem problem)
    {
        var (reasoning, answer) = task.Trace(problem, new Random(3))!.Value;
        Assert.True(task.Grade(problem, answer).Correct, answer);
        Assert.Equal(reasoning, task.Trace(problem, new Random(3))!.Value.Reasoning); // a function of the seed
        var order = ScanOrder(problem.Metadata!["numbers"].Split(' ').Select(long.Parse).ToArray());
        string[] lines = reasoning.Split('\n');
        int scanned = lines
            .TakeWhile(l =>
                !l.Contains('[', StringComparison.Ordinal)
                && !l.StartsWith(' ')
                && !l.EndsWith(" x", StringComparison.Ordinal)
            )
            .Count();
        Assert.Equal(order.Take(scanned), lines[..scanned]);
        if (lines[scanned - 1].EndsWith($"={problem.Reference}", StringComparison.Ordinal))
        {
            // One move makes the target: the scan stops at the first such line, and that is the whole trace.
            Assert.Equal(lines.Length, scanned);
            Assert.DoesNotContain(lines[..^1], l => l.EndsWith($"={problem.Reference}", StringComparison.Ordinal));
            Assert.Equal(lines[^1], answer);
            Assert.Equal(reasoning, task.Trace(problem, new Random(99))!.Value.Reasoning); // no seed in a scan
            return true;
        }
        // No first move does: every first move was checked, then the guided search (its own ≤ 6 lines) follows.
        Assert.Equal(order.Length, scanned);
        Assert.InRange(lines.Length - scanned, 2, 6);
        Assert.Contains("[", lines[scanned], StringComparison.Ordinal);
        Assert.EndsWith($"={problem.Reference}", lines[^1]);
        return false;
    }

    [Trait(Lanes.Category, Lanes.Slow)]
    [Fact]
    public void Given_unguided_traces_then_sft_data_skips_problems_without_one_and_stays_a_function_of_position()
    {
        var task = new CountdownTask(
            new CountdownOptions
            {
                Numbers = 3,
                MaxNumber = 10,
                MaxTraceLines = 3,
                Guided = false,
            }
        );
        var pool = task.Problems(TaskSplit.Train, 100);
        int traceless = pool.Count(p => Enumerable.Range(0, 4).All(s => task.Trace(p, new Random(s)) is null));

        var first = Enumerable
            .Range(0, 150)
            .Select(p => Ponder.Training.SftData.FromTask(task, seed: 1, poolSize: 100).Get(p))
            .ToList();
        // A resumed run starts a fresh SftData at a later position: the same example at every position, in any order.
        var resumed = Ponder.Training.SftData.FromTask(task, seed: 1, poolSize: 100);
        var again = Enumerable.Range(0, 150).Reverse().Select(p => resumed.Get(p)).Reverse().ToList();

        Assert.True(traceless >= 5, $"{traceless} problems without a trace: the test needs some to skip");
        Assert.Equal(
            first.Select(m => m[0].Content + m[1].Reasoning),
            again.Select(m => m[0].Content + m[1].Reasoning)
        );
        foreach (var messages in first)
            Assert.InRange(messages[1].Reasoning!.Split('\n').Length, 1, 3);
        // Problems that have no trace in any order never appear.
        var skipped = pool.Where(p => Enumerable.Range(0, 64).All(s => task.Trace(p, new Random(s)) is null))
            .Select(task.Prompt)
            .ToHashSet();
        Assert.DoesNotContain(first, m => skipped.Contains(m[0].Content));
    }

    [Fact]
    public void Given_unguided_traces_that_few_problems_have_then_sft_refuses_at_the_start_and_says_what_to_change()
    {
        // Four numbers 1–50, targets 1,000–5,000 (three operations, mostly) and 3 lines: without guidance the search
        // rarely walks straight to such a target.
        var task = new CountdownTask(
            new CountdownOptions
            {
                MinTarget = 1000,
                MaxTarget = 5000,
                MaxTraceLines = 3,
                Guided = false,
            }
        );

        var e = Assert.Throws<PonderException>(() => Ponder.Training.SftData.FromTask(task, seed: 0, poolSize: 200));

        Assert.Contains("--task-option guided=true", e.Message, StringComparison.Ordinal);
        Assert.Contains("max-trace-lines", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_ranges_that_reach_no_target_then_a_clear_error()
    {
        var task = new CountdownTask(
            new CountdownOptions
            {
                Numbers = 2,
                MinNumber = 1,
                MaxNumber = 2,
                MinTarget = 500,
                MaxTarget = 600,
            }
        );

        var e = Assert.Throws<PonderException>(() => task.Problems(TaskSplit.Train, 5));
        Assert.Contains("widen", e.Message, StringComparison.Ordinal);
    }
}
