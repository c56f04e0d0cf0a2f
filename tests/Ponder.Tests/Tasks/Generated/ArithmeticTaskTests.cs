using System.Text.RegularExpressions;
using Ponder.Tasks;
using Ponder.Tasks.Generated;

namespace Ponder.Tests.Tasks.Generated;

public sealed partial class ArithmeticTaskTests
{
    static readonly ArithmeticTask Task = new(new ArithmeticOptions());

    [Fact]
    public void Given_347_times_28_then_prompt_trace_and_answer_are_the_documented_scratchpad()
    {
        var problem = ArithmeticTask.Create(347, '*', 28);

        var (reasoning, answer) = Task.Trace(problem, new Random(0))!.Value;

        Assert.Equal("Compute 347*28.", Task.Prompt(problem));
        Assert.Equal("9716", problem.Reference);
        // 347*8 = 2776 (reversed 6772); 347*2 = 694, shifted 6940 (reversed 0496); 2776 + 6940 = 9716 (reversed 6179).
        Assert.Equal(
            "r 743*82\n7*8=56+0=56 4*8=32+5=37 3*8=24+3=27 p6772\n7*2=14+0=14 4*2=8+1=9 3*2=6+0=6 p0496\n"
                + "a 6772+0496\n6+0+0=6 7+4+0=11 7+9+1=17 2+6+1=9 s6179",
            reasoning
        );
        Assert.Equal("9716", answer);
    }

    [Theory]
    [InlineData(347, '+', 28, "r 743+820\n7+8+0=15 4+2+1=7 3+0+0=3 s573", "375")]
    [InlineData(999, '+', 1, "r 999+100\n9+1+0=10 9+0+1=10 9+0+1=10 s0001", "1000")]
    [InlineData(28, '-', 347, "28<347\nr 743-820\n17-8-0=9 4-2-1=1 3-0-0=3 s913", "-319")]
    [InlineData(1000, '-', 999, "1000>999\nr 0001-9990\n10-9-0=1 10-9-1=0 10-9-1=0 1-0-1=0 s1000", "1")]
    [InlineData(55, '-', 55, "55=55\nr 55-55\n5-5-0=0 5-5-0=0 s00", "0")]
    [InlineData(7, '*', 0, "r 7*0\n7*0=0+0=0 p0", "0")]
    public void Given_edge_problems_then_trace_shows_carries_and_borrows(
        long a,
        char op,
        long b,
        string reasoning,
        string answer
    )
    {
        Assert.Equal((reasoning, answer), Task.Trace(ArithmeticTask.Create(a, op, b), new Random(0)));
    }

    [Fact]
    public void Given_many_problems_when_traced_then_every_column_equation_is_true_and_the_answer_grades_correct()
    {
        var task = new ArithmeticTask(new ArithmeticOptions { MinDigits = 1, MaxDigits = 5 });

        int multiplyColumns = 0;
        foreach (var problem in task.Problems(TaskSplit.Train, 600))
        {
            var (reasoning, answer) = task.Trace(problem, new Random(0))!.Value;

            Assert.True(task.Grade(problem, answer).Correct, $"{problem.Question}: {answer}");
            foreach (Match m in ColumnEquation().Matches(reasoning))
            {
                long x = long.Parse(m.Groups[1].Value),
                    y = long.Parse(m.Groups[3].Value);
                long c = long.Parse(m.Groups[4].Value),
                    v = long.Parse(m.Groups[5].Value);
                long expected = m.Groups[2].Value == "+" ? x + y + c : x - y - c;
                Assert.True(expected == v, $"{problem.Question}: {m.Value}");
            }
            foreach (Match m in MultiplyColumn().Matches(reasoning))
            {
                long x = long.Parse(m.Groups[1].Value),
                    y = long.Parse(m.Groups[2].Value),
                    product = long.Parse(m.Groups[3].Value);
                long c = long.Parse(m.Groups[4].Value),
                    v = long.Parse(m.Groups[5].Value);
                Assert.True(x * y == product && product + c == v, $"{problem.Question}: {m.Value}");
                multiplyColumns++;
            }
        }
        Assert.True(multiplyColumns > 1000, $"only {multiplyColumns} multiplication columns were checked");
    }

    [Fact]
    public void Given_options_then_problems_respect_digits_and_operations_and_metadata_says_so()
    {
        var task = new ArithmeticTask(
            new ArithmeticOptions
            {
                MinDigits = 3,
                MaxDigits = 3,
                Operations = "-",
            }
        );

        foreach (var problem in task.Problems(TaskSplit.Train, 200))
        {
            Assert.Equal("-", problem.Metadata["op"]);
            Assert.Equal("3,3", problem.Metadata["digits"]);
            Assert.Matches(@"^\d{3}-\d{3}$", problem.Question);
            Assert.Equal("arith-" + problem.Question, problem.Id);
        }
    }

    [Fact]
    public void Given_draws_then_problems_come_as_often_as_the_generator_makes_them_and_stay_in_their_split()
    {
        var task = new ArithmeticTask(new ArithmeticOptions { MinDigits = 1, MaxDigits = 2 });
        static bool OneDigitPair(Problem p) => p.Metadata["digits"] == "1,1";

        var draws = task.Draws(TaskSplit.Train, 4000);
        var distinct = task.Problems(TaskSplit.Train, 4000);

        // Each operand has 1 or 2 digits with probability ½, so ~¼ of draws are one-digit pairs; among distinct
        // problems they are at most the ~300 such problems there are.
        double drawnShare = draws.Count(OneDigitPair) / (double)draws.Count;
        Assert.InRange(drawnShare, 0.2, 0.3);
        Assert.True(
            distinct.Count(OneDigitPair) < 300,
            $"{distinct.Count(OneDigitPair)} one-digit pairs among distinct problems"
        );
        Assert.True(draws.Select(p => p.Id).Distinct().Count() < draws.Count, "draws repeat problems");
        var testIds = task.Problems(TaskSplit.Test, 500).Select(p => p.Id).ToHashSet();
        Assert.DoesNotContain(draws, p => testIds.Contains(p.Id));
    }

    [Fact]
    public void Given_more_problems_asked_than_the_settings_have_then_up_to_gives_every_training_problem()
    {
        // One-digit operands 0–9: 10·11/2 = 55 sums, 55 products (operands sorted) and 10·10 = 100 differences, 210
        // problems; the split hash sends about a tenth to the test split. Every other one is a training problem.
        var task = new ArithmeticTask(new ArithmeticOptions { MinDigits = 1, MaxDigits = 1 });
        var all = new HashSet<string>();
        for (int a = 0; a < 10; a++)
        {
            for (int b = 0; b < 10; b++)
            {
                foreach (char op in "+-*")
                {
                    if (op == '-' || a <= b)
                        all.Add(ArithmeticTask.Create(a, op, b).Id);
                }
            }
        }

        var testIds = task.ProblemsUpTo(TaskSplit.Test, 1000).Select(p => p.Id).ToHashSet();
        Assert.Equal(210, all.Count);

        var train = task.ProblemsUpTo(TaskSplit.Train, 1000);

        static string Sorted(Problem p) =>
            p.Metadata["op"] == "-"
                ? p.Id
                : ArithmeticTask
                    .Create(
                        Math.Min(long.Parse(p.Metadata["a"]), long.Parse(p.Metadata["b"])),
                        p.Metadata["op"][0],
                        Math.Max(long.Parse(p.Metadata["a"]), long.Parse(p.Metadata["b"]))
                    )
                    .Id;
        var trainKeys = train.Select(Sorted).ToHashSet();
        var testKeys = task.ProblemsUpTo(TaskSplit.Test, 1000).Select(Sorted).ToHashSet();

        Assert.Equal(train.Count, trainKeys.Count);
        Assert.Empty(trainKeys.Intersect(testKeys));
        Assert.True(all.SetEquals(trainKeys.Union(testKeys)), "every one-digit problem is in one split");
        Assert.InRange(testIds.Count, 5, 40);
        Assert.Throws<PonderException>(() => task.Problems(TaskSplit.Train, 1000));
        // Fewer than the settings have: the same list Problems gives.
        Assert.Equal(
            task.Problems(TaskSplit.Train, 50).Select(p => p.Id),
            task.ProblemsUpTo(TaskSplit.Train, 50).Select(p => p.Id)
        );
        Assert.Equal(train.Count, Ponder.Training.ProblemPool.Train(task, 20_000).Count);
    }

    [Fact]
    public void Given_default_digits_then_the_longest_trace_is_short()
    {
        var lengths = Task.Problems(TaskSplit.Train, 500)
            .Select(p => Task.Trace(p, new Random(0))!.Value.Reasoning.Length)
            .ToList();

        Assert.True(lengths.Max() < 400, $"max {lengths.Max()}");
    }

    /// <summary>An addition or subtraction column: <c>7+8+1=16</c>, <c>17-8-0=9</c>.</summary>
    [GeneratedRegex(@"(?<![\d=])(\d+)([+-])(\d)[+-](\d)=(\d+)")]
    private static partial Regex ColumnEquation();

    /// <summary>A multiplication column, the table fact then the carry: <c>4*8=32+5=37</c>.</summary>
    [GeneratedRegex(@"(\d)\*(\d)=(\d+)\+(\d)=(\d+)")]
    private static partial Regex MultiplyColumn();
}
