namespace Ponder.Tasks.Generated;

/// <summary>
/// Rejection sampling shared by the generated tasks: draw problems from a <see cref="Random"/> seeded with the task's
/// seed, keep those whose key hashes into the requested split, and (unless <c>distinct</c> is false) drop repeated
/// keys. The stream does not depend on the count, so a shorter list is a prefix of a longer one.
/// </summary>
static class ProblemDraws
{
    /// <summary>A drawn problem and its key: the normalised content that decides its split and its identity.</summary>
    public readonly record struct Drawn(string Key, Problem Problem);

    /// <param name="upTo">When true, settings with fewer problems than <paramref name="count"/> return all they have
    /// (taken as exhausted after 50,000 draws in a row without a new one) instead of refusing.</param>
    public static IReadOnlyList<Problem> Sample(
        string task,
        int seed,
        TaskSplit split,
        int? count,
        Func<Random, Drawn?> draw,
        bool distinct = true,
        bool upTo = false
    )
    {
        if (count is null)
            throw new PonderException($"{task}: a generated task needs a problem count; pass one (e.g. --count 1000)");
        if (count < 0)
            throw new PonderException($"{task}: the problem count must be ≥ 0 (got {count})");

        var rng = new Random(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<Problem>(count.Value);
        long maxAttempts = 200L * count.Value + 20_000;
        // Settings with fewer problems than asked exhaust them: a long run of draws without a new problem says so
        // quickly, instead of drawing up to maxAttempts (millions of draws, each solved, for a large count).
        const int maxMissesInARow = 50_000;
        for (long attempt = 0, lastNew = 0; problems.Count < count; attempt++)
        {
            if (attempt >= maxAttempts || attempt - lastNew >= maxMissesInARow)
            {
                return upTo
                    ? problems
                    : throw new PonderException(
                        $"{task}: found only {problems.Count} {(distinct ? "distinct " : "")}{split} problems "
                            + $"of the {count} "
                            + "asked for; widen the number ranges or ask for fewer problems"
                    );
            }

            if (
                draw(rng) is not { } drawn
                || StableHash.SplitOf(drawn.Key) != split
                || (!seen.Add(drawn.Key) && distinct)
            )
            {
                continue;
            }

            problems.Add(drawn.Problem);
            lastNew = attempt;
        }
        return problems;
    }

    /// <summary>A metadata value the task itself wrote; a missing or malformed one means the problem came from
    /// elsewhere.</summary>
    public static string Meta(string task, Problem problem, string key) =>
        problem.Metadata.TryGetValue(key, out var value)
            ? value
            : throw new PonderException(
                $"{task}: problem {problem.Id} has no \"{key}\" metadata; use problems made by the {task} task"
            );
}
