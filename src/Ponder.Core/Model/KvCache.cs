using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>
/// Pre-allocated keys and values for every layer, plus which slots hold real tokens and each row's next position.
/// Rows may be padded differently (left padding); padded slots are masked out of attention and do not advance a
/// row's position, so a row's output never depends on its batch-mates. Owned by its creator: dispose it.
/// </summary>
public sealed class KvCache : IDisposable
{
    Tensor[] keys,
        values; // per layer (B, K, capacity, D)
    Tensor valid; // (B, capacity) bool: slot holds a real token
    Tensor nextPosition; // (B) int64: rotary position of each row's next real token

    public KvCache(ModelConfig config, long batch, int capacity, ScalarType dtype, Device device)
    {
        Capacity = capacity;
        keys = new Tensor[config.NumHiddenLayers];
        values = new Tensor[config.NumHiddenLayers];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = zeros([batch, config.KeyValueHeads, capacity, config.HeadDim], dtype, device)
                .DetachFromDisposeScope();
            values[i] = zeros([batch, config.KeyValueHeads, capacity, config.HeadDim], dtype, device)
                .DetachFromDisposeScope();
        }
        valid = zeros([batch, capacity], ScalarType.Bool, device).DetachFromDisposeScope();
        nextPosition = zeros([batch], ScalarType.Int64, device).DetachFromDisposeScope();
    }

    /// <summary>Slots written so far (the same for every row).</summary>
    public int Length { get; private set; }
    public int Capacity { get; }
    public long BatchSize => valid.shape[0];

    /// <summary>Writes a layer's new keys/values (B, K, T, D) at <paramref name="start"/>; returns the filled prefix
    /// (B, K, start+T, D).</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, int start, Tensor k, Tensor v)
    {
        long t = k.shape[2];
        keys[layer].narrow(2, start, t).copy_(k);
        values[layer].narrow(2, start, t).copy_(v);
        return (keys[layer].narrow(2, 0, start + t), values[layer].narrow(2, 0, start + t));
    }

    /// <summary>
    /// Registers T new tokens (validity (B, T)) before a forward pass. Returns their rotary positions (B, T) and the
    /// attention mask (B, 1, T, S): causal, real keys only, and each query may always see itself so padded rows
    /// never produce NaNs that could leak through a zero attention weight.
    /// </summary>
    internal (Tensor Positions, Tensor Mask) Advance(Tensor newValid)
    {
        long t = newValid.shape[1];
        if (Length + t > Capacity)
        {
            throw new PonderException(
                $"The KV cache holds {Capacity} tokens; this step needs {Length + t}. Lower --max-tokens or "
                    + "the prompt length."
            );
        }

        int start = Length;
        using var k = new Scalars();
        var newValidLong = newValid.to(ScalarType.Int64); // (B, T)
        var positions = (nextPosition.unsqueeze(1).Plus(newValidLong.cumsum(1)) - k[1]).clamp_min(k[0]); // (B, T)
        valid.narrow(1, start, t).copy_(newValid);
        nextPosition.PlusInPlace(newValidLong.sum(1));
        Length += (int)t;

        long s = Length;
        var queryAt = TensorOps.Range(start, start + t, valid.device).unsqueeze(1); // (T, 1)
        var keyAt = TensorOps.Range(0, s, valid.device).unsqueeze(0); // (1, S)
        var causal = keyAt <= queryAt; // (T, S)
        var self = keyAt == queryAt; // (T, S)
        var mask = (valid.narrow(1, 0, s).unsqueeze(1) & causal.unsqueeze(0)) | self.unsqueeze(0); // (B, T, S)
        return (positions, mask.unsqueeze(1)); // (B, 1, T, S)
    }

    /// <summary>Keeps (or repeats) rows: <paramref name="rows"/> indexes the current batch. Used to fan a prefilled
    /// prompt out to n samples and to drop finished sequences.</summary>
    public void SelectRows(long[] rows)
    {
        using var idx = tensor(rows, device: valid.device);
        for (int i = 0; i < keys.Length; i++)
        {
            Replace(ref keys[i], keys[i].index_select(0, idx));
            Replace(ref values[i], values[i].index_select(0, idx));
        }
        Replace(ref valid, valid.index_select(0, idx));
        Replace(ref nextPosition, nextPosition.index_select(0, idx));
    }

    KvCache(Tensor[] keys, Tensor[] values, Tensor valid, Tensor nextPosition, int length, int capacity)
    {
        (this.keys, this.values, this.valid, this.nextPosition) = (keys, values, valid, nextPosition);
        Length = length;
        Capacity = capacity;
    }

    /// <summary>
    /// Stacks <paramref name="b"/>'s rows under <paramref name="a"/>'s (continuous batching: a freshly prefilled
    /// request joins the running batch). Slots that are padding in every row of a cache are dropped, and the shorter
    /// cache is left-padded with invalid slots so both end at the same column; validity and next positions travel with
    /// their rows, so every row's outputs are exactly those it would get alone. Neither input is changed (the caller
    /// still owns and disposes them); the result holds <paramref name="capacity"/> slots, at least the merged length.
    /// </summary>
    public static KvCache Merge(KvCache a, KvCache b, int capacity)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int la = a.Length - a.LeadingPadding(),
            lb = b.Length - b.LeadingPadding();
        int length = Math.Max(la, lb);
        if (capacity < length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(capacity),
                capacity,
                $"the merged cache needs at least {length} slots"
            );
        }

        long ba = a.BatchSize,
            bb = b.BatchSize;
        using var scope = NewDisposeScope();
        var keys = new Tensor[a.keys.Length];
        var values = new Tensor[a.keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = Stack(a.keys[i], b.keys[i]);
            values[i] = Stack(a.values[i], b.values[i]);
        }
        var valid = zeros([ba + bb, capacity], ScalarType.Bool, a.valid.device); // (B, S)
        valid.narrow(0, 0, ba).narrow(1, length - la, la).copy_(a.valid.narrow(1, a.Length - la, la));
        valid.narrow(0, ba, bb).narrow(1, length - lb, lb).copy_(b.valid.narrow(1, b.Length - lb, lb));
        var next = cat([a.nextPosition, b.nextPosition], 0); // (B)
        foreach (var t in keys.Concat(values).Append(valid).Append(next))
            t.DetachFromDisposeScope();
        return new KvCache(keys, values, valid, next, length, capacity);

        Tensor Stack(Tensor x, Tensor y) // (B, K, S, D)
        {
            var m = zeros([ba + bb, x.shape[1], capacity, x.shape[3]], x.dtype, x.device);
            m.narrow(0, 0, ba).narrow(2, length - la, la).copy_(x.narrow(2, a.Length - la, la));
            m.narrow(0, ba, bb).narrow(2, length - lb, lb).copy_(y.narrow(2, b.Length - lb, lb));
            return m;
        }
    }

    /// <summary>Leading slots that are padding in every row (dropped by <see cref="Merge"/>).</summary>
    int LeadingPadding()
    {
        if (Length == 0)
            return 0;
        using var scope = NewDisposeScope();
        var any = valid.narrow(1, 0, Length).any(0).cpu().data<bool>().ToArray(); // (S)
        int first = Array.IndexOf(any, true);
        return first < 0 ? Length : first;
    }

    static void Replace(ref Tensor slot, Tensor fresh)
    {
        fresh.DetachFromDisposeScope();
        slot.Dispose();
        slot = fresh;
    }

    public void Dispose()
    {
        foreach (var t in keys)
            t.Dispose();
        foreach (var t in values)
            t.Dispose();
        valid.Dispose();
        nextPosition.Dispose();
    }
}
