using Ponder.Generation;
using Ponder.Model;
using static TorchSharp.torch;

namespace Ponder.Serving;

/// <summary>
/// The running batch of continuous batching, owned by the inference thread. New sequences are prefilled together
/// and merged into the cache (<see cref="KvCache.Merge"/>); each <see cref="Step"/> picks one token per row with the
/// row's own settings (penalties and bias by <see cref="LogitAdjustments"/>, then temperature and top-p) and random
/// stream, then drops finished or cancelled rows (<see cref="KvCache.SelectRows"/>)
/// before the next forward. Every row's tokens equal those it would get alone.
/// </summary>
sealed class DecodeBatch(CausalLM model, Tensor vocabMask) : IDisposable
{
    List<ActiveSequence> rows = [];
    KvCache? cache;
    Tensor? logits; // (B, V): each row's next-token logits

    public int Count => rows.Count;

    /// <summary>Prefills <paramref name="fresh"/> (left-padded together) and adds them to the batch.</summary>
    public void Join(IReadOnlyList<ActiveSequence> fresh)
    {
        int n = fresh.Count,
            longest = fresh.Max(s => s.Handle.Request.PromptIds.Count);
        var ids = new long[n * longest];
        var valid = new bool[n * longest];
        for (int r = 0; r < n; r++)
        {
            var prompt = fresh[r].Handle.Request.PromptIds;
            int pad = longest - prompt.Count;
            for (int t = 0; t < prompt.Count; t++)
            {
                ids[r * longest + pad + t] = prompt[t];
                valid[r * longest + pad + t] = true;
            }
        }
        var all = rows.Concat(fresh).ToList();
        int room = all.Max(s => s.Remaining);
        using var scope = NewDisposeScope();
        var prefillCache = model.NewCache(n, longest + (cache is null ? room : 0));
        var prefill = model
            .ForwardCached(
                tensor(ids, [n, longest], device: model.Device),
                tensor(valid, [n, longest], device: model.Device),
                prefillCache
            )
            .squeeze(1); // (N, V)
        if (cache is null)
        {
            cache = prefillCache;
            Replace(prefill);
        }
        else
        {
            var merged = KvCache.Merge(cache, prefillCache, Math.Max(cache.Length, longest) + room);
            cache.Dispose();
            prefillCache.Dispose();
            cache = merged;
            Replace(cat([logits!, prefill], 0)); // (B+N, V)
        }
        rows = all;
    }

    /// <summary>One decode step for every row.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        var uniforms = rows.Select(r => (float)(1.0 - r.Rng.NextDouble())).ToArray();
        var temperatures = rows.Select(r => (float)r.Handle.Request.Temperature).ToArray();
        var topPs = rows.Select(r => (float)r.Handle.Request.TopP).ToArray();
        var adjusted = LogitAdjustments.Apply(
            logits!,
            rows.Select(r => r.Adjustment).ToList(),
            rows.Select(r => r.Counts).ToList()
        ); // (B, V)
        var (tok, _) = TokenPicker.Pick(
            adjusted,
            tensor(temperatures, device: model.Device),
            tensor(topPs, device: model.Device),
            tensor(uniforms, device: model.Device),
            ThinkingControl.Exclusions(vocabMask, [.. rows.Select(r => r.Banned)]) // (V) or (B, V)
        );
        long[] chosen = tok.cpu().data<long>().ToArray();
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Handle.IsCancelled)
                continue;
            chosen[r] = rows[r].Control((int)chosen[r]);
            rows[r].Accept((int)chosen[r]);
        }

        long[] keep = Enumerable.Range(0, rows.Count).Where(r => !rows[r].IsDone).Select(r => (long)r).ToArray();
        foreach (var row in rows.Where(r => r.Handle.IsCancelled))
            row.Handle.Abandon(null);
        if (keep.Length == 0)
        {
            Clear();
            return;
        }
        var next = tensor(chosen, device: model.Device); // (B)
        if (keep.Length < rows.Count)
        {
            cache!.SelectRows(keep);
            next = next.index_select(0, tensor(keep, device: model.Device));
            rows = keep.Select(r => rows[(int)r]).ToList();
        }
        Replace(
            model
                .ForwardCached(next.view(-1, 1), ones([next.shape[0], 1], ScalarType.Bool, model.Device), cache!)
                .squeeze(1)
        ); // (B, V)
    }

    /// <summary>Ends every sequence with <paramref name="error"/> (an engine failure) and empties the batch.</summary>
    public void Fail(Exception error)
    {
        foreach (var row in rows)
            row.Handle.Abandon(error);
        Clear();
    }

    void Replace(Tensor fresh)
    {
        fresh.DetachFromDisposeScope();
        logits?.Dispose();
        logits = fresh;
    }

    void Clear()
    {
        rows = [];
        cache?.Dispose();
        cache = null;
        logits?.Dispose();
        logits = null;
    }

    public void Dispose() => Clear();
}
