using System.Text;

namespace Ponder.Tasks.Generated;

/// <summary>
/// FNV-1a (64-bit) over UTF-8: a hash that is the same in every process and on every machine, unlike
/// <see cref="string.GetHashCode()"/>, which .NET randomises per process. It decides a generated problem's split.
/// </summary>
static class StableHash
{
    const ulong OffsetBasis = 14695981039346656037UL;
    const ulong Prime = 1099511628211UL;

    public static ulong Fnv1a(string text)
    {
        ulong hash = OffsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }

    /// <summary>MurmurHash3's 64-bit finaliser: every output bit depends on every input bit. FNV-1a alone is unfit for
    /// <c>% 10</c>: its lowest bit is just the parity of the count of odd bytes, so the test split would be skewed
    /// (e.g. toward particular operators, since '+' and '-' are odd bytes and '*' is even).</summary>
    public static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }

    /// <summary>One problem key in ten (by mixed hash) is a test problem; the rest are train, so the splits are
    /// disjoint by construction whatever the seed.</summary>
    public static TaskSplit SplitOf(string key) => Mix(Fnv1a(key)) % 10 == 0 ? TaskSplit.Test : TaskSplit.Train;
}
