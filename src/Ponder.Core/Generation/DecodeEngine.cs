using Ponder.Model;
using Ponder.Runtime;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Generation;

/// <summary>
/// The one decoding engine: continuous batching over the fixed slots of a <see cref="SlotCache"/>. Rollouts,
/// evaluation, the verifier, <c>ponder scale</c> (through <see cref="BatchGenerator"/>) and the server (through its
/// inference thread) all run this token path. A row takes the lowest free slot when it is added and frees it when it
/// ends; nothing is copied when rows join or leave. Each <see cref="Step"/> prefills waiting rows — each prompt alone,
/// in chunks of <see cref="PrefillChunk"/> tokens at fixed boundaries, about that many tokens per step (whole chunks,
/// at least one) so a long prompt does not stall running rows — decodes one token for every running row, picks each
/// row's next token with its own settings and random stream, and applies the thinking control and the
/// <see cref="StopRule"/>. A row's tokens depend on its prompt, settings and stream only, never on its batch-mates.
/// Rows added together with the same prompt share its prefill, and a row whose prompt a running row already holds
/// copies that row's prompt keys and next-token logits instead of prefilling (the N samples of a prompt that join
/// one by one as slots free). Synchronous: every call on one thread (dispose scopes are thread-static).
/// </summary>
public sealed class DecodeEngine : IDisposable
{
    readonly CausalLM model;
    readonly TextTokenizer tokenizer;
    readonly StopRule stops;
    readonly int? thinkStart,
        thinkEnd;
    readonly Tensor vocabMask; // (V)
    readonly SlotCache cache;
    readonly int maxSlots,
        startSlots,
        startCapacity;
    readonly DecodeRow?[] bySlot;
    readonly List<DecodeRow> running = []; // prefilled rows, in join order
    readonly List<DecodeRow> waiting = []; // rows still prefilling, in join order
    readonly Dictionary<DecodeRow, DecodeRow> sharesPrefillOf = [];
    readonly Dictionary<DecodeRow, Tensor> nextLogits = []; // (1, V) of rows whose prefill ended
    readonly Dictionary<DecodeRow, int> fedToken = []; // the token each running row feeds next
    readonly Dictionary<DecodeRow, Tensor> promptLogits = []; // (1, V) after the prompt: one running row per prompt

    /// <param name="slots">Rows decoded together at most.</param>
    /// <param name="capacity">Tokens a slot starts with room for; grows on demand up to the context length.</param>
    /// <param name="prefillChunk">Prompt tokens per prefill call, and at most per step.</param>
    /// <param name="startSlots">Slots allocated at first (default all); more are allocated, doubling, when rows need
    /// them — the server starts small, a static batch allocates what it will use.</param>
    /// <param name="thinkStart">The prompt format's <c>&lt;think&gt;</c> id (default: the tokenizer's).</param>
    /// <param name="thinkEnd">The prompt format's <c>&lt;/think&gt;</c> id (default: the tokenizer's).</param>
    public DecodeEngine(
        CausalLM model,
        TextTokenizer tokenizer,
        IEnumerable<int> stopTokenIds,
        int slots,
        int capacity = 256,
        int prefillChunk = DefaultPrefillChunk,
        int? startSlots = null,
        int? thinkStart = null,
        int? thinkEnd = null
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (slots < 1 || prefillChunk < 1)
            throw new PonderException($"the engine needs at least one slot and a prefill chunk of one token.");
        (this.model, this.tokenizer, maxSlots, PrefillChunk) = (model, tokenizer, slots, prefillChunk);
        this.thinkStart = thinkStart ?? tokenizer.TokenToId(ChatTemplate.ThinkStart);
        this.thinkEnd = thinkEnd ?? tokenizer.TokenToId(ChatTemplate.ThinkEnd);
        stops = new StopRule(tokenizer, stopTokenIds.ToHashSet(), this.thinkStart, this.thinkEnd);
        int known = Math.Min(tokenizer.VocabSize, model.Config.VocabSize);
        vocabMask = VocabMask(model.Config.VocabSize, known, model.Device);
        int startCapacity = Math.Min(Math.Max(1, capacity), model.Config.MaxPositionEmbeddings);
        (this.startSlots, this.startCapacity) = (Math.Clamp(startSlots ?? slots, 1, slots), startCapacity);
        cache = model.NewCache(this.startSlots, startCapacity);
        bySlot = new DecodeRow?[slots];
    }

    /// <summary>The prefill chunk when none is given.</summary>
    public const int DefaultPrefillChunk = 512;

    /// <summary>Prompt tokens per prefill call; a step prefills whole chunks until this many tokens are spent (at least
    /// one chunk, at most two chunks less one token).</summary>
    public int PrefillChunk { get; }

    /// <summary>Rows in the engine (prefilling or decoding).</summary>
    public int Count => running.Count + waiting.Count;

    /// <summary>Whether another row can be added.</summary>
    public bool HasRoom => Count < maxSlots;

    public StopRule Stops => stops;

    /// <summary>The cache's current size: slots × tokens per slot.</summary>
    public (int Slots, int Capacity) CacheSize => (cache.Slots, cache.Capacity);
    public int? ThinkEndId => thinkEnd;
    public int? ThinkStartId => thinkStart;

    /// <summary>Adds a row in the lowest free slot; it is prefilled by the next steps.</summary>
    public void Add(DecodeRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!HasRoom)
            throw new InvalidOperationException($"all {maxSlots} slots are taken; add when HasRoom.");
        int needed = row.Prompt.Count + row.Settings.MaxNewTokens;
        if (needed > model.Config.MaxPositionEmbeddings)
        {
            throw new PonderException(
                $"the prompt has {row.Prompt.Count} tokens; with max-tokens {row.Settings.MaxNewTokens} that exceeds "
                    + $"the model's context of {model.Config.MaxPositionEmbeddings} tokens. Lower max-tokens to at "
                    + $"most {Math.Max(0, model.Config.MaxPositionEmbeddings - row.Prompt.Count)}."
            );
        }
        row.Slot = Array.IndexOf(bySlot, null);
        bySlot[row.Slot] = row;
        cache.Reserve(row.Slot + 1, needed, maxSlots, model.Config.MaxPositionEmbeddings);
        row.Control =
            row.ReasoningOpen && thinkEnd is int end ? ThinkingControl.For(row.Settings, tokenizer, end) : null;
        if (row.Control is null && !string.IsNullOrEmpty(row.Settings.AnswerPrefix))
        {
            foreach (int id in tokenizer.Encode(row.Settings.AnswerPrefix, allowSpecialTokens: true))
                row.Thinking.Forced.Enqueue(id); // no reasoning: the answer, and so its opening, starts now
        }
        var holder = promptLogits.Keys.FirstOrDefault(r => SamePrompt(r, row));
        if (holder is not null)
        {
            StartFrom(holder, row);
            return;
        }
        var twin = waiting.FirstOrDefault(w =>
            w.Prefilled == 0 && !sharesPrefillOf.ContainsKey(w) && SamePrompt(w, row)
        );
        if (twin is not null)
            sharesPrefillOf[row] = twin;
        waiting.Add(row);
    }

    /// <summary>One step: prefill, one decode forward, one token for every row that has logits. On the CPU the
    /// process's <see cref="ThreadTuner"/> times it (a step that prefills is not comparable with decode steps, so it
    /// runs unmeasured).</summary>
    public void Step()
    {
        if (model.Device.type != TorchSharp.DeviceType.CPU)
        {
            StepOnce();
            return;
        }
        ThreadTuner.Shared.Run(waiting.Count > 0 ? 0 : fedToken.Count, StepOnce);
    }

    void StepOnce()
    {
        using var scope = NewDisposeScope();
        DropCancelled();
        Prefill();
        var rows = new List<DecodeRow>();
        var parts = new List<Tensor>();
        var started = new List<Tensor>();
        var decoding = running.Where(fedToken.ContainsKey).ToList();
        if (decoding.Count > 0)
        {
            var tokens = tensor(decoding.Select(r => (long)fedToken[r]).ToArray(), device: model.Device);
            parts.Add(model.Decode(tokens, cache, [.. decoding.Select(r => r.Slot)], [.. decoding.Select(Column)]));
            rows.AddRange(decoding);
        }
        foreach (var row in running.Where(nextLogits.ContainsKey).ToList())
        {
            rows.Add(row);
            parts.Add(nextLogits[row]);
            started.Add(nextLogits[row]);
            nextLogits.Remove(row);
        }
        try
        {
            if (rows.Count > 0)
                Choose(rows, parts.Count == 1 ? parts[0] : cat(parts, 0));
        }
        finally
        {
            foreach (var t in started)
                t.Dispose();
        }
    }

    /// <summary>Removes every row (after a failure); returns them so their owners can be told.</summary>
    public IReadOnlyList<DecodeRow> Clear()
    {
        var all = running.Concat(waiting).ToList();
        running.Clear();
        waiting.Clear();
        sharesPrefillOf.Clear();
        fedToken.Clear();
        foreach (var t in nextLogits.Values.Concat(promptLogits.Values))
            t.Dispose();
        nextLogits.Clear();
        promptLogits.Clear();
        Array.Fill(bySlot, null);
        return all;
    }

    /// <summary>The column a running row's fed token goes to: prompt plus tokens before it.</summary>
    static int Column(DecodeRow row) => row.Prompt.Count + row.Tokens.Count - 1;

    void DropCancelled()
    {
        foreach (var row in running.Concat(waiting).Where(r => r.IsCancelled).ToList())
            Release(row);
    }

    /// <summary>Prefills waiting rows in join order, whole chunks, up to <see cref="PrefillChunk"/> tokens a step (at
    /// least one chunk); a row whose prompt is in its slot moves to the running rows with its next-token
    /// logits.</summary>
    void Prefill()
    {
        int budget = PrefillChunk;
        foreach (var row in waiting.ToList())
        {
            if (sharesPrefillOf.ContainsKey(row) || row.IsPrefilled)
                continue; // started with the row whose prefill it shares
            while (!row.IsPrefilled && budget > 0)
            {
                int length = Math.Min(PrefillChunk, row.Prompt.Count - row.Prefilled);
                var ids = row.Prompt.Skip(row.Prefilled).Take(length).Select(i => (long)i).ToArray();
                var logits = model.Prefill(
                    tensor(ids, [1, length], device: model.Device),
                    cache,
                    row.Slot,
                    row.Prefilled
                );
                row.Prefilled += length;
                budget -= length;
                if (row.IsPrefilled)
                    Started(row, logits);
            }
            if (budget <= 0)
                break;
        }
    }

    static bool SamePrompt(DecodeRow a, DecodeRow b) =>
        ReferenceEquals(a.Prompt, b.Prompt) || a.Prompt.SequenceEqual(b.Prompt);

    /// <summary>Starts <paramref name="row"/> from the prompt a running row holds: its keys and values are copied,
    /// its next-token logits cloned, exactly what the row's own prefill would make. A copy that fails frees the
    /// slot.</summary>
    void StartFrom(DecodeRow holder, DecodeRow row)
    {
        try
        {
            cache.CopySlot(holder.Slot, row.Slot, row.Prompt.Count);
            nextLogits[row] = promptLogits[holder].clone().DetachFromDisposeScope();
        }
        catch
        {
            bySlot[row.Slot] = null;
            throw;
        }
        row.Prefilled = row.Prompt.Count;
        running.Add(row);
    }

    /// <summary>Moves a prefilled row, and the rows that share its prompt, to the running rows; it holds the prompt's
    /// logits for rows with the same prompt that join later.</summary>
    void Started(DecodeRow row, Tensor logits)
    {
        waiting.Remove(row);
        running.Add(row);
        nextLogits[row] = logits.DetachFromDisposeScope();
        promptLogits[row] = logits.clone().DetachFromDisposeScope();
        foreach (var twin in sharesPrefillOf.Where(p => p.Value == row).Select(p => p.Key).ToList())
        {
            cache.CopySlot(row.Slot, twin.Slot, row.Prompt.Count);
            twin.Prefilled = twin.Prompt.Count;
            sharesPrefillOf.Remove(twin);
            waiting.Remove(twin);
            running.Add(twin);
            nextLogits[twin] = logits.clone().DetachFromDisposeScope();
        }
    }

    /// <summary>Picks, controls and records one token for each of <paramref name="rows"/> from their logits
    /// (B, V); releases rows that end.</summary>
    void Choose(List<DecodeRow> rows, Tensor logits)
    {
        var uniforms = rows.Select(r => (float)(1.0 - r.Rng.NextDouble())).ToArray();
        var adjusted = LogitAdjustments.Apply(
            logits,
            [.. rows.Select(r => r.Settings.Adjustment)],
            [.. rows.Select(r => r.Counts)]
        ); // (B, V)
        var exclude = ThinkingControl.Exclusions(vocabMask, [.. rows.Select(Banned)]); // (V) or (B, V)
        var (tokens, logProbs) = TokenPicker.Pick(
            adjusted,
            RowSampling.Of([.. rows.Select(r => r.Settings)]),
            tensor(uniforms, device: model.Device),
            exclude
        );
        long[] chosen = tokens.cpu().data<long>().ToArray();
        for (int r = 0; r < rows.Count; r++)
        {
            var forced = rows[r].Thinking.Forced;
            chosen[r] =
                rows[r].Control?.Next(rows[r].Thinking, (int)chosen[r])
                ?? (forced.Count > 0 ? forced.Dequeue() : chosen[r]);
        }
        var lp = logProbs.gather(-1, tensor(chosen, device: model.Device).unsqueeze(-1)).squeeze(-1); // (B)
        float[] chosenLp = lp.to(ScalarType.Float32).cpu().data<float>().ToArray();
        RecordModelLogprobs(rows, logits, chosen);
        for (int r = 0; r < rows.Count; r++)
            Accept(rows[r], (int)chosen[r], chosenLp[r]);
    }

    /// <summary>The model's own log-probabilities of the emitted tokens, from the raw logits (B, V), for the rows
    /// that ask; a batch where none asks does no work at all.</summary>
    void RecordModelLogprobs(List<DecodeRow> rows, Tensor logits, long[] chosen)
    {
        int[] asking = [.. Enumerable.Range(0, rows.Count).Where(r => rows[r].Settings.TopLogprobs is not null)];
        if (asking.Length == 0)
            return;
        int[] tops = [.. asking.Select(r => rows[r].Settings.TopLogprobs!.Value)];
        var found = ModelLogprobs.Of(logits, vocabMask, asking, chosen, tops);
        for (int i = 0; i < asking.Length; i++)
            rows[asking[i]].ModelLogprobs.Add(found[i]);
    }

    IReadOnlyList<int> Banned(DecodeRow row) =>
        row.Control?.Banned(row.Thinking) ?? [.. new[] { thinkStart, thinkEnd }.OfType<int>()];

    void Accept(DecodeRow row, int id, float logprob)
    {
        row.Append(id, logprob);
        if (id == thinkEnd && row.ReasoningOpen)
        {
            row.ReasoningEnd = row.Tokens.Count - 1;
            row.AnswerFrom = row.Tokens.Count; // the answer starts after the latest close
        }
        stops.Apply(row);
        row.Listener?.Emitted(row, id);
        if (row.Finish is not null)
            Release(row);
        else
            fedToken[row] = id;
    }

    void Release(DecodeRow row)
    {
        running.Remove(row);
        waiting.Remove(row);
        fedToken.Remove(row);
        sharesPrefillOf.Remove(row);
        foreach (var twin in sharesPrefillOf.Where(p => p.Value == row).Select(p => p.Key).ToList())
            sharesPrefillOf.Remove(twin); // it prefills its prompt itself
        if (nextLogits.Remove(row, out var logits))
            logits.Dispose();
        if (promptLogits.Remove(row, out var kept))
        {
            var heir = running.FirstOrDefault(r => !promptLogits.ContainsKey(r) && SamePrompt(r, row));
            if (heir is not null)
                promptLogits[heir] = kept; // its slot holds the same prompt
            else
                kept.Dispose();
        }
        bySlot[row.Slot] = null;
        if (Count == 0 && cache.Shrink(startSlots, startCapacity))
            HostMemory.Release(); // an idle engine gives back what a burst made it grow to
        row.Listener?.Ended(row);
    }

    /// <summary>(V) additive mask: −∞ for ids the tokenizer does not have (models pad their vocabulary).</summary>
    static Tensor VocabMask(int vocab, int known, Device device)
    {
        var mask = new float[vocab];
        for (int i = known; i < vocab; i++)
            mask[i] = float.NegativeInfinity;
        return tensor(mask, device: device).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        Clear();
        cache.Dispose();
        vocabMask.Dispose();
        if (model.Device.type == TorchSharp.DeviceType.CPU)
            ThreadTuner.Shared.Settle(); // what runs after the engine does not inherit a probe's count
    }
}
