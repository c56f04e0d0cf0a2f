using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>
/// How one forward pass meets the <see cref="SlotCache"/>, built once per pass and shared by every layer: where the
/// new keys and values go, which keys the queries read, and the mask. Two shapes of pass:
/// <list type="bullet">
/// <item>prefill — T tokens of one sequence at columns start … start+T−1 of its slot (a whole prompt, or one chunk
/// of a long one); its queries read the slot's columns 0 … start+T−1;</item>
/// <item>decode — one token for each of B sequences, each at its own column of its own slot. Attention runs over the
/// leading slots 0 … span−1 in place (no gather of keys): the B queries are scattered into their slot rows, rows of
/// free slots compute a throw-away result, and each row's output is gathered back.</item>
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
    readonly bool scattered;

    CacheStep(SlotCache cache, int slot, int start, int keyLength, Tensor? mask)
    {
        (this.cache, this.slot, this.start, KeyLength, Mask) = (cache, slot, start, keyLength, mask);
    }

    CacheStep(SlotCache cache, Tensor slots, Tensor columns, int span, bool scattered, int keyLength, Tensor mask)
    {
        (this.cache, this.slots, this.columns, this.span, this.scattered) = (cache, slots, columns, span, scattered);
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
        bool scattered = span != slots.Count || slots.Where((s, i) => s != i).Any();
        var last = new long[span]; // each slot's last readable column; free slots read column 0 only
        for (int i = 0; i < slots.Count; i++)
            last[slots[i]] = columns[i];
        var keyAt = TensorOps.Range(0, keyLength, device).unsqueeze(0); // (1, S)
        var mask = (keyAt <= tensor(last, device: device).unsqueeze(1)).unsqueeze(1).unsqueeze(1); // (span, 1, 1, S)
        return new CacheStep(
            cache,
            tensor(slots.Select(s => (long)s).ToArray(), device: device),
            tensor(columns.Select(c => (long)c).ToArray(), device: device),
            span,
            scattered,
            keyLength,
            mask
        );
    }

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
    /// (B', K, S, D): the slot's prefix for a prefill, the leading <c>span</c> slots for a decode.</summary>
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
        return (keys.narrow(0, 0, span).narrow(2, 0, KeyLength), values.narrow(0, 0, span).narrow(2, 0, KeyLength));
    }

    /// <summary>Queries (B, H, T, D) placed in the rows the keys have: (span, H, 1, D) for a decode whose rows are
    /// not exactly slots 0 … B−1, otherwise unchanged.</summary>
    internal Tensor Queries(Tensor q) =>
        scattered ? zeros([span, q.shape[1], q.shape[2], q.shape[3]], q.dtype, q.device).index_copy_(0, slots!, q) : q;

    /// <summary>The rows' own outputs (B, …) back from the rows <see cref="Queries"/> placed them in.</summary>
    internal Tensor Rows(Tensor y) => scattered ? y.index_select(0, slots!) : y;
}
