using System.Globalization;

namespace Ponder.Tasks.Generated;

/// <summary>
/// The <c>countdown</c> task: make a target from some of the given numbers, each at most once, with + - * /.
/// Prompt <c>Use 12 5 7 9 to make 41 with + - * /, each number at most once.</c>; answer an expression, optionally
/// followed by <c>=41</c> (the reference trace writes <c>(12+5)*3-10=41</c>). Graded by <see cref="CountdownAnswer"/>,
/// which needs only the metadata ("numbers", "target"), never a reference expression.
/// <para>Generation guarantees a solution: draw the numbers, enumerate every value they can make with positive-integer
/// intermediates and exact division (<see cref="CountdownSolver"/>), and pick a target uniformly among those in range
/// that are not already one of the numbers; draw again when there is none. The split key is the sorted numbers and the
/// target, so a reordering of a test problem is never a train problem.</para>
/// </summary>
public sealed class CountdownTask : ITraceTask, IStepCheckedTask
{
    public CountdownTask(CountdownOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public CountdownOptions Options { get; }

    public string Name => "countdown";

    /// <summary>One step per line of the trace.</summary>
    public string StepSeparator => ReasoningSteps.Lines;

    public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) =>
        ProblemDraws.Sample(Name, Options.Seed, split, count, Draw);

    public IReadOnlyList<Problem> ProblemsUpTo(TaskSplit split, int count) =>
        ProblemDraws.Sample(Name, Options.Seed, split, count, Draw, upTo: true);

    public IReadOnlyList<Problem> Draws(TaskSplit split, int count) =>
        ProblemDraws.Sample(Name, Options.Seed, split, count, Draw, distinct: false);

    public string Prompt(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return $"Use {ProblemDraws.Meta(Name, problem, "numbers")} to make "
            + $"{ProblemDraws.Meta(Name, problem, "target")} "
            + "with + - * /, each number at most once.";
    }

    public Grade Grade(Problem problem, string answerText)
    {
        var (numbers, target) = Read(problem);
        return CountdownAnswer.Grade(numbers, target, answerText);
    }

    /// <summary>The search trace (or, with <see cref="CountdownOptions.PathOnly"/>, a shortest path) and the answer
    /// <c>expression=target</c> built from the moves that reached the target.</summary>
    public (string Reasoning, string Answer)? Trace(Problem problem, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var (numbers, target) = Read(problem);
        (string, CountdownExpr)? Search(Random r) =>
            Options.Guided
                ? CountdownSearch.Search(numbers, target, Options.MaxTraceLines, r)
                : CountdownSearch.Unguided(numbers, target, Options.MaxTraceLines, r, UnguidedTries);
        var found =
            Options.PathOnly ? CountdownSearch.Path(numbers, target)
            : Options.Scan ? CountdownSearch.Scan(numbers, target, rng, Search)
            : Search(rng);
        return found is ({ } reasoning, { } solution) ? (reasoning, $"{solution}={target}") : null;
    }

    /// <summary>Every <c>a op b=c</c> line of the reasoning, right when its arithmetic holds
    /// (<see cref="CountdownSteps"/>).</summary>
    public StepCheck CheckSteps(Problem problem, string reasoning) => CountdownSteps.Check(reasoning);

    /// <summary>Move orders an unguided trace tries (each jittered afresh) before the problem counts as having
    /// none.</summary>
    public const int UnguidedTries = 8;

    /// <summary>The problem "make <paramref name="target"/> from <paramref name="numbers"/>", as this task states
    /// it.</summary>
    public static Problem Create(IReadOnlyList<int> numbers, int target)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        string shown = string.Join(' ', numbers);
        var metadata = new Dictionary<string, string>
        {
            ["numbers"] = shown,
            ["target"] = target.ToString(CultureInfo.InvariantCulture),
        };
        return new Problem(
            "countdown-" + Key(numbers, target),
            $"make {target} from {shown}",
            target.ToString(CultureInfo.InvariantCulture),
            metadata
        );
    }

    /// <summary>The split key: sorted numbers and the target, e.g. <c>5,7,9,12=41</c>.</summary>
    internal static string Key(IReadOnlyList<int> numbers, int target) =>
        $"{string.Join(',', numbers.Order())}={target}";

    ProblemDraws.Drawn? Draw(Random rng)
    {
        int[] numbers =
        [
            .. Enumerable.Range(0, Options.Numbers).Select(_ => rng.Next(Options.MinNumber, Options.MaxNumber + 1)),
        ];
        var reach = CountdownSolver.Reachable([.. numbers.Select(n => (long)n)]);
        var candidates = Options.AllNumbersNeeded
            ? reach[^1].Keys.Except(reach[..^1].SelectMany(values => values.Keys)) // made by all numbers and no subset
            : reach.SelectMany(values => values.Keys);
        var targets = candidates
            .Where(v => v >= Options.MinTarget && v <= Options.MaxTarget && !numbers.Contains((int)v))
            .Distinct()
            .Order()
            .ToList();
        if (targets.Count == 0)
            return null;
        int target = (int)targets[rng.Next(targets.Count)];
        return new ProblemDraws.Drawn(Key(numbers, target), Create(numbers, target));
    }

    (long[] Numbers, long Target) Read(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        try
        {
            long[] numbers =
            [
                .. ProblemDraws
                    .Meta(Name, problem, "numbers")
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(s => long.Parse(s, CultureInfo.InvariantCulture)),
            ];
            return (numbers, long.Parse(ProblemDraws.Meta(Name, problem, "target"), CultureInfo.InvariantCulture));
        }
        catch (FormatException e)
        {
            throw new PonderException(
                $"countdown: problem {problem.Id} has malformed numbers/target metadata; "
                    + "use problems made by the countdown task",
                e
            );
        }
    }
}
