using Ponder.Model;
using Ponder.Runtime;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Generation;

/// <summary>
/// Batched generation with a KV cache. Prompts of different lengths are left-padded into one batch; the cache masks
/// padding and counts positions per row, so each completion equals what the prompt would get alone. Each prompt is
/// prefilled once and its cache rows fanned out to its N samples; finished rows are dropped from the batch.
/// Tensor work runs synchronously on the calling thread (DisposeScopes are thread-static).
/// </summary>
public sealed class BatchGenerator
{
    readonly CausalLM model;
    readonly TextTokenizer tokenizer;
    readonly HashSet<int> stopTokenIds;
    readonly int? thinkEndId;

    /// <param name="stopTokenIds">Ids that end a completion (EOS, end of turn).</param>
    public BatchGenerator(CausalLM model, TextTokenizer tokenizer, IEnumerable<int> stopTokenIds)
    {
        this.model = model;
        this.tokenizer = tokenizer;
        this.stopTokenIds = [.. stopTokenIds];
        thinkEndId = tokenizer.TokenToId("</think>");
    }

    /// <summary>Completions for every prompt, prompt-major: prompt i's sample j is at index i·N + j.</summary>
    public IReadOnlyList<Completion> Generate(
        IReadOnlyList<IReadOnlyList<int>> prompts,
        SamplingOptions options,
        IProgress<int>? completed = null
    )
    {
        options.Validate();
        int context = model.Config.MaxPositionEmbeddings;
        for (int i = 0; i < prompts.Count; i++)
        {
            if (prompts[i].Count == 0)
                throw new PonderException($"prompt {i} is empty: give at least one token.");
            if (prompts[i].Count + options.MaxNewTokens > context)
            {
                throw new PonderException(
                    $"prompt {i} has {prompts[i].Count} tokens; with max-tokens {options.MaxNewTokens} that "
                        + $"exceeds the model's context of {context} tokens. Lower max-tokens to at most "
                        + $"{Math.Max(0, context - prompts[i].Count)}."
                );
            }
        }
        long seed = options.Seed ?? Random.Shared.NextInt64();
        var results = new Completion[prompts.Count * options.N];
        int perChunk = Math.Max(1, options.MaxBatchSize / options.N);
        using var _ = inference_mode();
        for (int first = 0; first < prompts.Count; first += perChunk)
        {
            int count = Math.Min(perChunk, prompts.Count - first);
            foreach (var c in GenerateChunk(prompts, first, count, options, seed))
            {
                results[c.PromptIndex * options.N + c.SampleIndex] = c;
                completed?.Report(1);
            }
        }
        return results;
    }

    sealed class Row(int promptIndex, int sampleIndex, Random rng)
    {
        public int PromptIndex { get; } = promptIndex;
        public int SampleIndex { get; } = sampleIndex;
        public Random Rng { get; } = rng;
        public List<int> Tokens { get; } = [];
        public List<float> Logprobs { get; } = [];
        public FinishReason? Finish { get; set; }
        public ThinkingState Thinking { get; } = new();
    }

    List<Completion> GenerateChunk(
        IReadOnlyList<IReadOnlyList<int>> prompts,
        int first,
        int count,
        SamplingOptions o,
        long seed
    )
    {
        var (ids, valid, longest) = LeftPadded(prompts, first, count);
        var rows = new List<Row>();
        for (int p = 0; p < count; p++)
        {
            for (int s = 0; s < o.N; s++)
                rows.Add(new Row(first + p, s, new Random(SampleSeeds.For(seed, prompts[first + p], s))));
        }
        var batch = new List<Row>(rows); // batch row r ↔ batch[r]

        using var cache = model.NewCache(count, longest + o.MaxNewTokens);
        using var vocabMask = VocabMask();
        Tensor? logits = Prefill(ids, valid, count, longest, o.N, cache);
        var thinking = ThinkingControl.For(o, tokenizer, thinkEndId);
        for (int step = 0; step < o.MaxNewTokens; step++)
        {
            using var scope = NewDisposeScope();
            var (tok, chosen, chosenLp) = Pick(logits!, batch, o, vocabMask, thinking);
            logits!.Dispose();
            logits = null;
            Record(batch, chosen, chosenLp, o);
            int unfinished = batch.Count(r => r.Finish is null);
            if (unfinished == 0)
                break;
            if (batch.Count - unfinished >= Math.Max(1, batch.Count / 4))
                (batch, tok) = DropFinished(batch, tok, cache);
            logits = model
                .ForwardCached(tok.view(-1, 1), ones([tok.shape[0], 1], ScalarType.Bool, model.Device), cache)
                .squeeze(1)
                .MoveToOuterDisposeScope(); // (B, V)
        }
        logits?.Dispose();
        return rows.Select(r => Finish(r, prompts[r.PromptIndex], o)).ToList();
    }

    /// <summary>The chunk's prompts left-padded to the longest: ids and validity, row-major (P, T).</summary>
    static (long[] Ids, bool[] Valid, int Longest) LeftPadded(
        IReadOnlyList<IReadOnlyList<int>> prompts,
        int first,
        int count
    )
    {
        int longest = Enumerable.Range(first, count).Max(i => prompts[i].Count);
        var ids = new long[count * longest];
        var valid = new bool[count * longest];
        for (int p = 0; p < count; p++)
        {
            var prompt = prompts[first + p];
            int pad = longest - prompt.Count;
            for (int t = 0; t < prompt.Count; t++)
            {
                ids[p * longest + pad + t] = prompt[t];
                valid[p * longest + pad + t] = true;
            }
        }
        return (ids, valid, longest);
    }

    /// <summary>Prefills each prompt once and fans its cache rows and last logits out to its N samples:
    /// (P·N, V).</summary>
    Tensor Prefill(long[] ids, bool[] valid, int count, int longest, int n, KvCache cache)
    {
        using var scope = NewDisposeScope();
        var prefill = model
            .ForwardCached(
                tensor(ids, [count, longest], device: model.Device),
                tensor(valid, [count, longest], device: model.Device),
                cache
            )
            .squeeze(1); // (P, V)
        if (n > 1)
        {
            long[] fan = Enumerable.Range(0, count).SelectMany(p => Enumerable.Repeat((long)p, n)).ToArray();
            cache.SelectRows(fan);
            prefill = prefill.index_select(0, tensor(fan, device: model.Device)); // (P·N, V)
        }
        return prefill.MoveToOuterDisposeScope();
    }

    /// <summary>Each row's next token and its log-probability, after the thinking control (budget, forcing) has had
    /// its say: forced tokens carry the model's own log-probability of them, like sampled ones.</summary>
    (Tensor Tokens, long[] Chosen, float[] Logprobs) Pick(
        Tensor logits,
        List<Row> batch,
        SamplingOptions o,
        Tensor vocabMask,
        ThinkingControl? thinking
    )
    {
        var uniforms = batch.Select(r => r.Finish is null ? (float)(1.0 - r.Rng.NextDouble()) : 1f).ToArray();
        var exclude = thinking is null
            ? vocabMask
            : ThinkingControl.Exclusions(
                vocabMask,
                [.. batch.Select(r => r.Finish is null ? thinking.Banned(r.Thinking) : [])]
            ); // (V) or (B, V)
        var (tok, lp) = TokenPicker.Pick(
            logits,
            o.Temperature,
            o.TopK,
            o.TopP,
            tensor(uniforms, device: model.Device),
            exclude
        );
        long[] chosen = tok.cpu().data<long>().ToArray();
        // any model dtype (float64 in tests)
        float[] chosenLp = lp.to(ScalarType.Float32).cpu().data<float>().ToArray();
        bool anyForced = false;
        for (int r = 0; r < batch.Count; r++)
        {
            if (batch[r].Finish is null && thinking is not null)
            {
                int emitted = thinking.Next(batch[r].Thinking, (int)chosen[r]);
                anyForced |= emitted != chosen[r];
                chosen[r] = emitted;
            }
        }
        if (!anyForced)
            return (tok, chosen, chosenLp);
        using var s = new Scalars();
        var scaled = o.Temperature == 0 ? logits : logits / s[o.Temperature];
        var all = scaled.log_softmax(-1).gather(-1, tensor(chosen, device: model.Device).unsqueeze(-1)).squeeze(-1);
        return (tensor(chosen, device: model.Device), chosen, all.to(ScalarType.Float32).cpu().data<float>().ToArray());
    }

    /// <summary>Appends each unfinished row's token and marks the rows a stop token, stop string or the length limit
    /// ends.</summary>
    void Record(List<Row> batch, long[] chosen, float[] chosenLp, SamplingOptions o)
    {
        int maxStop = o.Stop.Count == 0 ? 0 : o.Stop.Max(s => s.Length);
        for (int r = 0; r < batch.Count; r++)
        {
            var row = batch[r];
            if (row.Finish is not null)
                continue;
            int id = (int)chosen[r];
            row.Tokens.Add(id);
            row.Logprobs.Add(chosenLp[r]);
            if (stopTokenIds.Contains(id) || (maxStop > 0 && EndsWithStopString(row.Tokens, o.Stop, maxStop)))
                row.Finish = FinishReason.Stop;
            else if (row.Tokens.Count >= o.MaxNewTokens)
                row.Finish = FinishReason.Length;
        }
    }

    /// <summary>Drops finished rows from the batch, its cache and the next input tokens.</summary>
    (List<Row> Batch, Tensor Tokens) DropFinished(List<Row> batch, Tensor tok, KvCache cache)
    {
        long[] keep = Enumerable
            .Range(0, batch.Count)
            .Where(r => batch[r].Finish is null)
            .Select(r => (long)r)
            .ToArray();
        cache.SelectRows(keep);
        return (keep.Select(r => batch[(int)r]).ToList(), tok.index_select(0, tensor(keep, device: model.Device)));
    }

    Completion Finish(Row row, IReadOnlyList<int> prompt, SamplingOptions o)
    {
        var textIds =
            row.Tokens.Count > 0 && stopTokenIds.Contains(row.Tokens[^1])
                ? row.Tokens.Take(row.Tokens.Count - 1)
                : row.Tokens;
        string text = tokenizer.Decode(textIds);
        foreach (var stop in o.Stop)
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0)
                text = text[..at];
        }
        // The last close: after a budget cut the model may close its reasoning once more itself.
        int? reasoningEnd = thinkEndId is int te && row.Tokens.LastIndexOf(te) is var i and >= 0 ? i : null;
        return new Completion(
            row.PromptIndex,
            row.SampleIndex,
            prompt.ToArray(),
            row.Tokens.ToArray(),
            row.Logprobs.ToArray(),
            text,
            row.Finish ?? FinishReason.Length,
            reasoningEnd,
            row.Thinking.BudgetCut,
            row.Thinking.Extensions
        );
    }

    bool EndsWithStopString(List<int> tokens, IReadOnlyList<string> stops, int maxStop)
    {
        // A stop string can only have been completed by the newest tokens: decode a tail long enough to hold it
        // (a byte-level token is at least a byte, so 4 tokens per character covers any UTF-8 text).
        int tail = Math.Min(tokens.Count, 4 * maxStop + 4);
        string text = tokenizer.Decode(tokens.Skip(tokens.Count - tail));
        return stops.Any(s => text.Contains(s, StringComparison.Ordinal));
    }

    /// <summary>(V) additive mask: −∞ for ids the tokenizer does not have (models pad their vocabulary).</summary>
    Tensor VocabMask()
    {
        int v = model.Config.VocabSize,
            known = Math.Min(tokenizer.VocabSize, v);
        var mask = new float[v];
        for (int i = known; i < v; i++)
            mask[i] = float.NegativeInfinity;
        return tensor(mask, device: model.Device).DetachFromDisposeScope();
    }
}
