using Ponder.Runtime;
using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>
/// Keys and values of every layer in fixed slots (continuous batching): a sequence takes a free slot, writes its
/// tokens at columns 0, 1, 2, … (column = rotary position, no padding inside a slot) and leaves the slot when it ends.
/// Nothing is copied when sequences join or leave; which slots are in use and how long each is, is the caller's
/// bookkeeping (<see cref="CacheStep"/> reads it per forward). Grows on demand (<see cref="Reserve"/>), which is the
/// only time existing entries move. Owned by its creator: dispose it.
/// </summary>
public sealed class SlotCache : IDisposable
{
    readonly ModelConfig config;
    readonly ScalarType dtype;
    readonly Device device;
    Tensor[] keys,
        values; // per layer (slots, K, capacity, D)

    public SlotCache(ModelConfig config, int slots, int capacity, ScalarType dtype, Device device)
    {
        (this.config, this.dtype, this.device) = (config, dtype, device);
        keys = new Tensor[config.NumHiddenLayers];
        values = new Tensor[config.NumHiddenLayers];
        var (k, v) = Allocate(slots, capacity);
        Replace(k, v, slots, capacity);
    }

    /// <summary>Sequences the cache holds at once.</summary>
    public int Slots { get; private set; }

    /// <summary>Tokens (prompt and generated) one slot holds.</summary>
    public int Capacity { get; private set; }

    internal Tensor Keys(int layer) => keys[layer];

    internal Tensor Values(int layer) => values[layer];

    /// <summary>Makes room for at least <paramref name="slots"/> sequences of <paramref name="capacity"/> tokens,
    /// at least doubling what grows (bounded by <paramref name="maxSlots"/> and <paramref name="maxCapacity"/>), so a
    /// growing batch reallocates only a logarithmic number of times. Entries keep their slot and column. All or
    /// nothing: when memory runs out the cache is left as it was.</summary>
    public void Reserve(int slots, int capacity, int maxSlots, int maxCapacity)
    {
        if (slots <= Slots && capacity <= Capacity)
            return;
        int newSlots = slots <= Slots ? Slots : Math.Max(slots, Math.Min(2 * Slots, maxSlots));
        int newCapacity = capacity <= Capacity ? Capacity : Math.Min(Math.Max(capacity, 2 * Capacity), maxCapacity);
        newCapacity = Math.Max(newCapacity, capacity);
        using var scope = NewDisposeScope(); // the views below
        var (newKeys, newValues) = Allocate(newSlots, newCapacity);
        for (int i = 0; i < keys.Length; i++)
        {
            newKeys[i].narrow(0, 0, Slots).narrow(2, 0, Capacity).copy_(keys[i]);
            newValues[i].narrow(0, 0, Slots).narrow(2, 0, Capacity).copy_(values[i]);
        }
        Replace(newKeys, newValues, newSlots, newCapacity);
    }

    /// <summary>Drops every entry and shrinks to <paramref name="slots"/> × <paramref name="capacity"/> (an idle server
    /// gives back what a burst made it grow to). Returns whether it shrank.</summary>
    public bool Shrink(int slots, int capacity)
    {
        if (slots >= Slots && capacity >= Capacity)
            return false;
        var (newKeys, newValues) = Allocate(Math.Min(slots, Slots), Math.Min(capacity, Capacity));
        Replace(newKeys, newValues, Math.Min(slots, Slots), Math.Min(capacity, Capacity));
        return true;
    }

    /// <summary>Copies the first <paramref name="length"/> columns of slot <paramref name="from"/> into
    /// <paramref name="to"/>: the N samples of one prompt share its prefill.</summary>
    public void CopySlot(int from, int to, int length)
    {
        using var scope = NewDisposeScope(); // the views below
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i].narrow(0, to, 1).narrow(2, 0, length).copy_(keys[i].narrow(0, from, 1).narrow(2, 0, length));
            values[i].narrow(0, to, 1).narrow(2, 0, length).copy_(values[i].narrow(0, from, 1).narrow(2, 0, length));
        }
    }

    /// <summary>Zeroed keys and values for every layer; disposes what it made if memory runs out midway.</summary>
    (Tensor[] Keys, Tensor[] Values) Allocate(int slots, int capacity)
    {
        if (slots < 1 || capacity < 1)
            throw new PonderException($"a cache needs at least one slot and one column, not {slots} × {capacity}.");
        var k = new Tensor[keys.Length];
        var v = new Tensor[keys.Length];
        try
        {
            for (int i = 0; i < k.Length; i++)
            {
                k[i] = zeros([slots, config.KeyValueHeads, capacity, config.HeadDim], dtype, device)
                    .DetachFromDisposeScope();
                v[i] = zeros([slots, config.KeyValueHeads, capacity, config.HeadDim], dtype, device)
                    .DetachFromDisposeScope();
            }
        }
        catch
        {
            foreach (var t in k.Concat(v))
                t?.Dispose();
            throw;
        }
        return (k, v);
    }

    void Replace(Tensor[] newKeys, Tensor[] newValues, int slots, int capacity)
    {
        foreach (var t in keys.Concat(values))
            t?.Dispose();
        (keys, values, Slots, Capacity) = (newKeys, newValues, slots, capacity);
    }

    public void Dispose()
    {
        foreach (var t in keys.Concat(values))
            t?.Dispose();
    }
}
