using System.Text;

namespace Ponder.Tasks.Generated;

/// <summary>
/// FNV-1a (64-bit) over UTF-8: a hash that is the same in every process and on every machine, unlike
/// <see cref="string.GetHashCode()"/>, which .NET randomises per process. It decides a generated problem's split.
/// </summary>
internal static class StableHash
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

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

    /// <summary>One problem key in ten (by hash) is a test problem; the rest are train, so the splits are disjoint
    /// by construction whatever the seed.</summary>
    public static TaskSplit SplitOf(string key) => Fnv1a(key) % 10 == 0 ? TaskSplit.Test : TaskSplit.Train;
}
