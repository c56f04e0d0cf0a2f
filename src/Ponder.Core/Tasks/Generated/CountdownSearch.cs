using System.Text;

namespace Ponder.Tasks.Generated;

/// <summary>
/// The countdown reference trace: a depth-first search (Stream of Search style) over pairwise combinations. A state is
/// the list of numbers left; a move picks two of them and an operation and replaces them by the result (appended at
/// the end). One line per explored move, indented one space per depth, followed by the state it leads to, by
/// <c>x</c> when one number is left and it is not the target (a dead end), or by nothing when it IS the target:
/// <code>
/// 12+5=17 [7 9 17]
///  17*7=119 [9 119]
///   119-9=110 x
///  ...
///  17+9=26 [7 26]  …  the last line reaches the target
/// </code>
/// Backtracking is implicit: the next line's indentation shows which state the search returned to.
/// Moves are ordered by closeness of the result to the target, jittered by <c>rng</c> (each distance is scaled by a
/// factor in [0.5, 1.5)), and moves giving the same multiset of numbers are explored once; zero results are never
/// produced (they cannot help reach a positive target).
/// <para>Bound: at most <c>maxLines</c> lines. Once the search has written <c>maxLines − (n − 1)</c> lines it keeps
/// only moves from which the target is still reachable (checked exhaustively by <see cref="CountdownSolver"/>):
/// it backtracks silently to the deepest state that can still succeed and walks down to the target, which needs at
/// most n − 1 lines. So every trace ENDS with a solution, like a heuristic search that found it after some dead ends.
/// <see cref="Unguided"/> has no such end: it stops at the line limit and gives no trace.</para>
/// </summary>
sealed class CountdownSearch
{
    readonly long target;
    readonly int guidedAfter;
    readonly int maxLines;
    readonly Random rng;
    readonly StringBuilder text = new();
    readonly Dictionary<string, bool> solvable = new(StringComparer.Ordinal);
    int lines;

    CountdownSearch(long target, int guidedAfter, Random rng, int maxLines = int.MaxValue)
    {
        this.target = target;
        this.guidedAfter = guidedAfter;
        this.rng = rng;
        this.maxLines = maxLines;
    }

    /// <summary>The search trace and the solution it ends with. Throws when the problem has no solution.</summary>
    public static (string Reasoning, CountdownExpr Solution) Search(
        IReadOnlyList<long> numbers,
        long target,
        int maxLines,
        Random rng
    )
    {
        var search = new CountdownSearch(target, maxLines - (numbers.Count - 1), rng);
        var start = numbers.Select(CountdownExpr.Number).ToList();
        var solution =
            search.Explore(start, 0)
            ?? throw new ArgumentException(
                $"countdown: {string.Join(' ', numbers)} cannot make {target}",
                nameof(numbers)
            );
        return (search.text.ToString().TrimEnd('\n'), solution);
    }

    /// <summary>The search as it went, without guidance: one of <paramref name="tries"/> jittered move orders that
    /// reaches the target within <paramref name="maxLines"/> lines (the first that does), or null when none
    /// does.</summary>
    public static (string Reasoning, CountdownExpr Solution)? Unguided(
        IReadOnlyList<long> numbers,
        long target,
        int maxLines,
        Random rng,
        int tries
    )
    {
        for (int t = 0; t < tries; t++)
        {
            var search = new CountdownSearch(target, int.MaxValue, rng, maxLines);
            if (search.Explore([.. numbers.Select(CountdownExpr.Number)], 0) is { } solution)
                return (search.text.ToString().TrimEnd('\n'), solution);
        }
        return null;
    }

    /// <summary>
    /// A scan, then the search: every first move in a fixed order — pairs as the prompt lists the numbers (1st with
    /// 2nd, 1st with 3rd, …, 2nd with 3rd, …), each with + * - / as <see cref="CountdownExpr.Combine"/> gives them —
    /// one bare line each (<c>6+3=9</c>), until one makes the target; that line ends the trace. When none does, the
    /// search of <paramref name="search"/> follows (its first moves written again, each with the state it leads to, and
    /// explored below). The scan is a function of the prompt, so a model can learn it as an algorithm: each line is a
    /// check it can compute, and a longer scan finds more one-move solutions — whereas choosing the right move first,
    /// as the guided search does, is a guess made before any thinking. Null when the search part gives no trace.
    /// </summary>
    public static (string Reasoning, CountdownExpr Solution)? Scan(
        IReadOnlyList<long> numbers,
        long target,
        Random rng,
        Func<Random, (string Reasoning, CountdownExpr Solution)?> search
    )
    {
        var text = new StringBuilder();
        var start = numbers.Select(CountdownExpr.Number).ToArray();
        for (int i = 0; i < start.Length; i++)
        {
            for (int j = i + 1; j < start.Length; j++)
            {
                foreach (var move in CountdownExpr.Combine(start[i], start[j]))
                {
                    text.Append(move.Step()).Append('\n');
                    if (move.Value == target)
                        return (text.ToString().TrimEnd('\n'), move);
                }
            }
        }

        return search(rng) is ({ } reasoning, { } solution) ? (text + reasoning, solution) : null;
    }

    /// <summary>The optimal-path-only trace (for ablations): the moves of a shortest solution, no dead ends.</summary>
    public static (string Reasoning, CountdownExpr Solution) Path(IReadOnlyList<long> numbers, long target)
    {
        var solution =
            CountdownSolver.Shortest(numbers, target)
            ?? throw new ArgumentException(
                $"countdown: {string.Join(' ', numbers)} cannot make {target}",
                nameof(numbers)
            );
        var search = new CountdownSearch(target, int.MaxValue, new Random(0));
        var state = numbers.Select(CountdownExpr.Number).ToList();
        int depth = 0;
        foreach (var step in solution.Steps())
        {
            state.Remove(state.First(e => e.Value == step.Left!.Value));
            state.Remove(state.First(e => e.Value == step.Right!.Value));
            state.Add(step);
            search.Write(step, state, depth++);
        }
        return (search.text.ToString().TrimEnd('\n'), solution);
    }

    CountdownExpr? Explore(List<CountdownExpr> state, int depth)
    {
        foreach (var (move, next) in Moves(state))
        {
            if (lines >= maxLines)
                return null;
            if (lines >= guidedAfter && !Solvable(next))
                continue;
            Write(move, next, depth);
            if (move.Value == target)
                return move;
            if (next.Count > 1 && Explore(next, depth + 1) is { } found)
                return found;
        }
        return null;
    }

    List<(CountdownExpr Move, List<CountdownExpr> Next)> Moves(List<CountdownExpr> state)
    {
        var moves = new List<(CountdownExpr, List<CountdownExpr>)>();
        var keys = new List<double>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < state.Count; i++)
        {
            for (int j = i + 1; j < state.Count; j++)
            {
                foreach (var move in CountdownExpr.Combine(state[i], state[j]))
                {
                    var next = state.Where((_, k) => k != i && k != j).Append(move).ToList();
                    if (!seen.Add(Key(next)))
                        continue;
                    moves.Add((move, next));
                    keys.Add(Math.Abs(move.Value - target) * (0.5 + rng.NextDouble()));
                }
            }
        }

        return [.. moves.Select((m, k) => (m, key: keys[k])).OrderBy(t => t.key).Select(t => t.m)];
    }

    void Write(CountdownExpr move, List<CountdownExpr> next, int depth)
    {
        text.Append(' ', depth).Append(move.Step());
        if (move.Value != target)
            text.Append(next.Count == 1 ? " x" : $" [{string.Join(' ', next.Select(e => e.Value))}]");
        text.Append('\n');
        lines++;
    }

    bool Solvable(List<CountdownExpr> state)
    {
        string key = Key(state);
        if (!this.solvable.TryGetValue(key, out bool solvable))
            this.solvable[key] = solvable = CountdownSolver.Solvable([.. state.Select(e => e.Value)], target);
        return solvable;
    }

    static string Key(IEnumerable<CountdownExpr> state) => string.Join(' ', state.Select(e => e.Value).Order());
}
