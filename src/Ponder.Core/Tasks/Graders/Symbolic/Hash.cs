namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>Stable hashing (string.GetHashCode differs between processes): FNV-1a, and a unit value from a
/// seed.</summary>
static class Hash
{
    public static ulong Of(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return h;
    }

    /// <summary>A number in [0, 1) determined by <paramref name="seed"/> and <paramref name="index"/>.</summary>
    public static double Unit(ulong seed, int index)
    {
        var x = seed + (ulong)(index + 1) * 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (x >> 11) * (1.0 / (1UL << 53));
    }
}
