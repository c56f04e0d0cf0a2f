using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>
/// Pre-allocated keys and values for every layer, plus which slots hold real tokens and each row's next position.
/// Rows may be padded differently (left padding); padded slots are masked out of attention and do not advance a
/// row's position, so a row's output never depends on its batch-mates. Owned by its creator: dispose it.
/// </summary>
public sealed class KvCache : IDisposable
{
    Tensor[] keys, values;      // per layer (B, K, capacity, D)
    Tensor valid;               // (B, capacity) bool: slot holds a real token
    Tensor nextPosition;        // (B) int64: rotary position of each row's next real token

    public KvCache(ModelConfig config, long batch, int capacity, ScalarType dtype, Device device)
    {
        Capacity = capacity;
        keys = new Tensor[config.NumHiddenLayers];
        values = new Tensor[config.NumHiddenLayers];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = zeros([batch, config.KeyValueHeads, capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
            values[i] = zeros([batch, config.KeyValueHeads, capacity, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
        valid = zeros([batch, capacity], ScalarType.Bool, device).DetachFromDisposeScope();
        nextPosition = zeros([batch], ScalarType.Int64, device).DetachFromDisposeScope();
    }

    /// <summary>Slots written so far (the same for every row).</summary>
    public int Length { get; private set; }
    public int Capacity { get; }
    public long BatchSize => valid.shape[0];

    /// <summary>Writes a layer's new keys/values (B, K, T, D) at <paramref name="start"/>; returns the filled prefix (B, K, start+T, D).</summary>
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
            throw new PonderException($"The KV cache holds {Capacity} tokens; this step needs {Length + t}. Lower --max-tokens or the prompt length.");
        int start = Length;
        var newValidLong = newValid.to(ScalarType.Int64);                                         // (B, T)
        var positions = (nextPosition.unsqueeze(1) + newValidLong.cumsum(1) - 1).clamp_min(0);     // (B, T)
        valid.narrow(1, start, t).copy_(newValid);
        nextPosition.add_(newValidLong.sum(1));
        Length += (int)t;

        long s = Length;
        var queryAt = arange(start, start + t, device: valid.device).unsqueeze(1);                // (T, 1)
        var keyAt = arange(0, s, device: valid.device).unsqueeze(0);                              // (1, S)
        var causal = keyAt <= queryAt;                                                             // (T, S)
        var self = keyAt == queryAt;                                                               // (T, S)
        var mask = (valid.narrow(1, 0, s).unsqueeze(1) & causal.unsqueeze(0)) | self.unsqueeze(0); // (B, T, S)
        return (positions, mask.unsqueeze(1));                                                     // (B, 1, T, S)
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

    static void Replace(ref Tensor slot, Tensor fresh)
    {
        fresh.DetachFromDisposeScope();
        slot.Dispose();
        slot = fresh;
    }

    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
        valid.Dispose();
        nextPosition.Dispose();
    }
}
