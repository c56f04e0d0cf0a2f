using Ponder.Model;
using Ponder.Runtime;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Generation;

/// <summary>
/// Static-batch generation, a thin client of the <see cref="DecodeEngine"/>: submits every prompt's N samples as
/// rows (prompt-major, as many at once as <see cref="SamplingOptions.MaxBatchSize"/> allows, the next joining as soon
/// as a slot frees) and drains them into completions. Each completion equals what its prompt would get alone.
/// Tensor work runs synchronously on the calling thread (DisposeScopes are thread-static).
/// </summary>
public sealed class BatchGenerator
{
    readonly CausalLM model;
    readonly TextTokenizer tokenizer;
    readonly int[] stopTokenIds;

    /// <param name="stopTokenIds">Ids that end a completion (EOS, end of turn).</param>
    public BatchGenerator(CausalLM model, TextTokenizer tokenizer, IEnumerable<int> stopTokenIds)
    {
        this.model = model;
        this.tokenizer = tokenizer;
        this.stopTokenIds = [.. stopTokenIds];
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
        if (prompts.Count == 0)
            return [];
        long seed = options.Seed ?? Random.Shared.NextInt64();
        var settings = RowSettings.From(options);
        int total = prompts.Count * options.N;
        int longest = prompts.Max(p => p.Count);
        using var _ = inference_mode();
        using var engine = new DecodeEngine(
            model,
            tokenizer,
            stopTokenIds,
            slots: Math.Min(options.MaxBatchSize, total),
            capacity: longest + options.MaxNewTokens
        );
        var rows = new DecodeRow[total];
        int next = 0,
            done = 0;
        var listener = new Counter(() =>
        {
            done++;
            completed?.Report(1);
        });
        while (done < total)
        {
            for (; next < total && engine.HasRoom; next++)
            {
                var prompt = prompts[next / options.N];
                var rng = new Random(SampleSeeds.For(seed, prompt, next % options.N));
                bool open = DecodeRow.ReasoningOpens(prompt, engine.ThinkStartId, engine.ThinkEndId);
                rows[next] = new DecodeRow(prompt, settings, rng, open, listener);
                engine.Add(rows[next]);
            }
            engine.Step();
        }
        return [.. rows.Select((r, i) => Finish(r, i / options.N, i % options.N, engine.Stops))];
    }

    /// <summary>Runs <paramref name="rows"/> (each with its own settings and random stream) to their ends on one
    /// engine, at most <paramref name="slots"/> at a time, in order.</summary>
    public void Run(IReadOnlyList<DecodeRow> rows, int slots)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            return;
        using var _ = inference_mode();
        using var engine = new DecodeEngine(
            model,
            tokenizer,
            stopTokenIds,
            slots: Math.Min(slots, rows.Count),
            capacity: rows.Max(r => r.Prompt.Count + r.Settings.MaxNewTokens)
        );
        int next = 0;
        while (next < rows.Count || engine.Count > 0)
        {
            for (; next < rows.Count && engine.HasRoom; next++)
                engine.Add(rows[next]);
            engine.Step();
        }
    }

    /// <summary>A finished row as a completion of prompt <paramref name="promptIndex"/>.</summary>
    public static Completion Completion(DecodeRow row, int promptIndex, int sampleIndex, StopRule stops) =>
        Finish(row, promptIndex, sampleIndex, stops);

    static Completion Finish(DecodeRow row, int promptIndex, int sampleIndex, StopRule stops) =>
        new(
            promptIndex,
            sampleIndex,
            row.Prompt.ToArray(),
            row.Tokens.ToArray(),
            row.Logprobs.ToArray(),
            stops.Text(row),
            row.Finish ?? FinishReason.Length,
            row.ReasoningEnd,
            row.Thinking.BudgetCut,
            row.Thinking.Extensions,
            row.ModelLogprobs.Count == 0 ? null : [.. row.ModelLogprobs.Select(m => -m.Top.Average(c => c.Logprob))]
        );

    /// <summary>Counts rows as they end.</summary>
    sealed class Counter(Action ended) : IDecodeListener
    {
        public void Emitted(DecodeRow row, int token) { }

        public void Ended(DecodeRow row) => ended();
    }
}
