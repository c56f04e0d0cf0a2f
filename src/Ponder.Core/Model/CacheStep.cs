using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>
/// How one forward pass meets the <see cref="SlotCache"/>, built once per pass and shared by every layer: where the
/// new keys and values go, which keys the queries read, and the mask. Two shapes of pass:
/// <list type="bullet">
/// <item>prefill — T tokens of one sequence at columns start … start+T−1 of its slot (a whole prompt, or one chunk
/// of a long one); its queries read the slot's columns 0 … start+T−1;</item>
/// <item>decode — one token for each of B sequences, each at its own column of its own slot. When the rows fill most
/// of the leading slots 0 … span−1, attention runs over those slots in place (no copy of keys): the B queries are
/// scattered into their slot rows, rows of free slots compute a throw-away result, and each row's output is gathered
/// back. When rows are sparse among them (a batch's tail: a few long rows left in high slots), reading every slot's
/// keys costs more than copying the rows' own: the rows' keys and values are gathered (B, K, S, D) and attention
/// runs over them alone. Attention is bound by reading the cache, so the cheaper read decides.</item>
/// </list>
/// Tensors live in the caller's dispose scope.
/// </summary>
public sealed class CacheStep
{
    readonly SlotCache cache;
    readonly int slot,
        start;
    readonly Tensor? slots, // (B) int64: each row's slot (decode)
        columns; // (B) int64: each row's new column (decode)
    readonly int span;
    readonly Layout layout;

    /// <summary>Where a decode's attention reads: the leading slots with the rows in order (slot i is row i), the
    /// leading slots with rows scattered among free ones, or a gathered copy of the rows' keys.</summary>
    enum Layout
    {
        InOrder,
        Scattered,
        Gathered,
    }

    CacheStep(SlotCache cache, int slot, int start, int keyLength, Tensor? mask)
    {
        (this.cache, this.slot, this.start, KeyLength, Mask) = (cache, slot, start, keyLength, mask);
    }

    CacheStep(SlotCache cache, Tensor slots, Tensor columns, int span, Layout layout, int keyLength, Tensor mask)
    {
        (this.cache, this.slots, this.columns, this.span, this.layout) = (cache, slots, columns, span, layout);
        (slot, KeyLength, Mask) = (-1, keyLength, mask);
    }

    /// <summary>Keys each query row may read (S).</summary>
    public int KeyLength { get; }

    /// <summary>(B', 1, T, S) bool, true = may attend; null = plain causal over T = S keys.</summary>
    public Tensor? Mask { get; }

    /// <summary>A prefill of <paramref name="length"/> tokens at column <paramref name="start"/> of
    /// <paramref name="slot"/>.</summary>
    public static CacheStep Prefill(SlotCache cache, int slot, int start, int length, Device device)
    {
        ArgumentNullException.ThrowIfNull(cache);
        CheckRoom(cache, start + length);
        if (start == 0)
            return new CacheStep(cache, slot, 0, length, mask: null);
        var queryAt = TensorOps.Range(start, start + length, device).unsqueeze(1); // (T, 1)
        var keyAt = TensorOps.Range(0, start + length, device).unsqueeze(0); // (1, S)
        var mask = (keyAt <= queryAt).unsqueeze(0).unsqueeze(0); // (1, 1, T, S)
        return new CacheStep(cache, slot, start, start + length, mask);
    }

    /// <summary>A decode step: row i writes its token at column <paramref name="columns"/>[i] of slot
    /// <paramref name="slots"/>[i] and reads columns 0 … that one. Slots must be distinct.</summary>
    public static CacheStep Decode(SlotCache cache, IReadOnlyList<int> slots, IReadOnlyList<int> columns, Device device)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(columns);
        int span = slots.Max() + 1,
            keyLength = columns.Max() + 1;
        CheckRoom(cache, keyLength);
        var slotIds = tensor(slots.Select(s => (long)s).ToArray(), device: device);
        var columnIds = tensor(columns.Select(c => (long)c).ToArray(), device: device);
        var keyAt = TensorOps.Range(0, keyLength, device).unsqueeze(0); // (1, S)
        if (slots.Count * GatherBelow < span)
        {
            var rowMask = (keyAt <= columnIds.unsqueeze(1)).unsqueeze(1).unsqueeze(1); // (B, 1, 1, S)
            return new CacheStep(cache, slotIds, columnIds, span, Layout.Gathered, keyLength, rowMask);
        }
        bool inOrder = span == slots.Count && !slots.Where((s, i) => s != i).Any();
        var last = new long[span]; // each slot's last readable column; free slots read column 0 only
        for (int i = 0; i < slots.Count; i++)
            last[slots[i]] = columns[i];
        var mask = (keyAt <= tensor(last, device: device).unsqueeze(1)).unsqueeze(1).unsqueeze(1); // (span, 1, 1, S)
        var layout = inOrder ? Layout.InOrder : Layout.Scattered;
        return new CacheStep(cache, slotIds, columnIds, span, layout, keyLength, mask);
    }

    /// <summary>A decode gathers its rows' keys when the rows are fewer than 1/<c>GatherBelow</c> of the leading slots
    /// attention would otherwise read: the gather reads the rows' keys, writes a copy and attention reads the copy,
    /// three passes over each row's keys against one pass over every slot's keys in place.</summary>
    const int GatherBelow = 2;

    static void CheckRoom(SlotCache cache, int needed)
    {
        if (needed > cache.Capacity)
        {
            throw new PonderException(
                $"The KV cache holds {cache.Capacity} tokens per sequence; this step needs {needed}. Lower "
                    + "--max-tokens or the prompt length."
            );
        }
    }

    /// <summary>Writes a layer's new keys and values (B, K, T, D) and returns the keys and values the queries read
    /// (B', K, S, D): the slot's prefix for a prefill; for a decode the leading <c>span</c> slots, or the rows' own
    /// keys and values gathered.</summary>
    internal (Tensor Keys, Tensor Values) Write(int layer, Tensor k, Tensor v)
    {
        Tensor keys = cache.Keys(layer),
            values = cache.Values(layer);
        if (slots is null)
        {
            long t = k.shape[2];
            keys.narrow(0, slot, 1).narrow(2, start, t).copy_(k);
            values.narrow(0, slot, 1).narrow(2, start, t).copy_(v);
            return (keys.narrow(0, slot, 1).narrow(2, 0, KeyLength), values.narrow(0, slot, 1).narrow(2, 0, KeyLength));
        }
        TensorIndex[] at = [TensorIndex.Tensor(slots), TensorIndex.Colon, TensorIndex.Tensor(columns!)];
        keys.index_put_(k.squeeze(2), at); // (B, K, D) at (slot, :, column)
        values.index_put_(v.squeeze(2), at);
        if (layout == Layout.Gathered) // (B, K, S, D): the rows' own keys and values
        {
            return (
                keys.narrow(2, 0, KeyLength).index_select(0, slots),
                values.narrow(2, 0, KeyLength).index_select(0, slots)
            );
        }
        return (keys.narrow(0, 0, span).narrow(2, 0, KeyLength), values.narrow(0, 0, span).narrow(2, 0, KeyLength));
    }

    /// <summary>Queries (B, H, T, D) placed in the rows the keys have: (span, H, 1, D) for a decode whose rows are
    /// scattered among the leading slots, otherwise unchanged.</summary>
    internal Tensor Queries(Tensor q) =>
        layout == Layout.Scattered
            ? zeros([span, q.shape[1], q.shape[2], q.shape[3]], q.dtype, q.device).index_copy_(0, slots!, q)
            : q;

    /// <summary>The rows' own outputs (B, …) back from the rows <see cref="Queries"/> placed them in.</summary>
    internal Tensor Rows(Tensor y) => layout == Layout.Scattered ? y.index_select(0, slots!) : y;
}
