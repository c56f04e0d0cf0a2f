namespace Ponder.Tasks.Generated;

/// <summary>
/// Exhaustive countdown solving by subset dynamic programming: for every non-empty subset of the numbers, every
/// value reachable using exactly that subset (each number once, positive-integer intermediates) with one expression
/// that reaches it. Values are found in subsets of increasing size first, so the expression kept for the smallest
/// subset containing a value is a shortest solution. 4 numbers take well under a millisecond; 6 take a few.
/// </summary>
static class CountdownSolver
{
    public static Dictionary<long, CountdownExpr>[] Reachable(IReadOnlyList<long> numbers)
    {
        int n = numbers.Count;
        var reach = new Dictionary<long, CountdownExpr>[1 << n];
        reach[0] = []; // the empty subset makes nothing
        for (int mask = 1; mask < 1 << n; mask++)
        {
            var values = reach[mask] = [];
            if ((mask & (mask - 1)) == 0)
            {
                long v = numbers[System.Numerics.BitOperations.TrailingZeroCount(mask)];
                values[v] = CountdownExpr.Number(v);
                continue;
            }
            for (int sub = (mask - 1) & mask; sub > 0; sub = (sub - 1) & mask)
            {
                int other = mask ^ sub;
                if (sub < other)
                    continue; // each unordered split once
                foreach (var p in reach[sub].Values)
                {
                    foreach (var q in reach[other].Values)
                    {
                        foreach (var e in CountdownExpr.Combine(p, q))
                            values.TryAdd(e.Value, e);
                    }
                }
            }
        }
        return reach;
    }

    /// <summary>Whether <paramref name="target"/> is one of the numbers or can be made from some of them.</summary>
    public static bool Solvable(IReadOnlyList<long> numbers, long target) =>
        Reachable(numbers).Any(values => values.ContainsKey(target));

    /// <summary>A solution using the fewest numbers, or null when there is none.</summary>
    public static CountdownExpr? Shortest(IReadOnlyList<long> numbers, long target)
    {
        var reach = Reachable(numbers);
        return Enumerable
            .Range(1, reach.Length - 1)
            .OrderBy(mask => System.Numerics.BitOperations.PopCount((uint)mask))
            .Select(mask => reach[mask].GetValueOrDefault(target))
            .FirstOrDefault(e => e is not null);
    }
}
