namespace Ponder.Training;

/// <summary>
/// Position-addressed data order: position p maps to an item of a per-epoch seeded permutation, so any run that
/// knows its position (a resumed one) sees exactly what the uninterrupted run saw, with no RNG state to save.
/// </summary>
public static class DataOrder
{
    [ThreadStatic]
    static (long Seed, long Epoch, int N, int[] Order)? last;

    /// <summary>The item index at <paramref name="position"/> of an endless stream over <paramref name="count"/>
    /// items.</summary>
    public static int Index(long position, int count, long seed)
    {
        long epoch = position / count;
        if (last is not { } l || l.Seed != seed || l.Epoch != epoch || l.N != count)
        {
            var order = Enumerable.Range(0, count).ToArray();
            new Random(unchecked((int)Mix((ulong)seed, (ulong)epoch))).Shuffle(order);
            last = l = (seed, epoch, count, order);
        }
        return l.Order[(int)(position % count)];
    }

    /// <summary>A well-mixed 64-bit function of two values (splitmix64 finaliser), for deriving per-item
    /// seeds.</summary>
    public static ulong Mix(ulong a, ulong b)
    {
        ulong x = a * 0x9E3779B97F4A7C15UL + b + 0x632BE59BD9B4E019UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A non-negative 31-bit seed for <see cref="Random"/> derived from (seed, a, b).</summary>
    public static int SeedFor(long seed, long a, long b = 0) =>
        (int)(Mix(Mix((ulong)seed, (ulong)a), (ulong)b) & 0x7FFFFFFF);
}
