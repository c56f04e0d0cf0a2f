using System.Diagnostics;
using LLama.Native;
using Ponder.Benchmarks;
using Ponder.Model;

namespace Ponder.LlamaCpp;

/// <summary>
/// llama.cpp's generation speed, timed the way <see cref="GenerateThroughput"/> times Ponder's: equal random prompts
/// (drawn as Ponder draws them), the whole batch prefilled in one decode call, then one token per sequence per call,
/// greedy, no stop tokens; a warm-up first and the prefill timed by a separate one-token run.
/// </summary>
public static class LlamaCppThroughput
{
    /// <param name="ggufPath">The exported model.</param>
    /// <param name="config">Its config.json, for the FLOP counts.</param>
    /// <param name="vocab">Ids the random prompts are drawn from (the tokenizer's size).</param>
    /// <param name="batch">Sequences decoded together.</param>
    /// <param name="promptTokens">Tokens per prompt.</param>
    /// <param name="newTokens">Tokens generated per sequence.</param>
    /// <param name="options">Threads and flash attention; the sequence count and context are set here.</param>
    /// <param name="seed">Seed of the prompts. <value>The default value is 0, as Ponder's.</value></param>
    public static GenerateThroughputResult Measure(
        string ggufPath,
        ModelConfig config,
        int vocab,
        int batch,
        int promptTokens,
        int newTokens,
        LlamaCppOptions options,
        long seed = 0
    )
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        var rng = new Random((int)seed);
        int[][] prompts = Enumerable
            .Range(0, batch)
            .Select(_ => Enumerable.Range(0, promptTokens).Select(_ => rng.Next(vocab)).ToArray())
            .ToArray();
        int perSequence = promptTokens + newTokens;
        using var model = new LlamaCppModel(
            ggufPath,
            options with
            {
                Sequences = batch,
                ContextSize = batch * perSequence,
            }
        );
        Generate(model, prompts, Math.Min(newTokens, 8)); // warm-up: allocations, thread pool
        double prefillSeconds = Time(() => Generate(model, prompts, 1));
        double seconds = Time(() => Generate(model, prompts, newTokens));
        double prefillFlops = (double)batch * promptTokens * Flops.ForwardPerToken(config, (promptTokens + 1) / 2.0);
        double decodeFlops =
            (double)batch * (newTokens - 1) * Flops.ForwardPerToken(config, promptTokens + newTokens / 2.0);
        return new GenerateThroughputResult(
            batch,
            promptTokens,
            newTokens,
            seconds,
            prefillSeconds,
            prefillFlops,
            decodeFlops
        );
    }

    static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Prefills every prompt in one decode call, then decodes <paramref name="count"/> − 1 more tokens per
    /// sequence, one call per step (the last pick is not fed back, as in Ponder).</summary>
    static void Generate(LlamaCppModel model, int[][] prompts, int count)
    {
        var handle = model.Context.NativeHandle;
        handle.MemoryClear();
        var batch = new LLamaBatch();
        var rows = new int[prompts.Length]; // each sequence's logits row in the last decoded batch
        for (int s = 0; s < prompts.Length; s++)
        {
            for (int i = 0; i < prompts[s].Length; i++)
                batch.Add(prompts[s][i], i, (LLamaSeqId)s, logits: i == prompts[s].Length - 1);
            rows[s] = batch.TokenCount - 1;
        }
        model.Decode(batch);
        for (int n = 0; n < count; n++)
        {
            int[] next = rows.Select(r => LlamaCppModel.ArgMax(handle.GetLogitsIth(r))).ToArray();
            if (n == count - 1)
                break;
            batch.Clear();
            for (int s = 0; s < prompts.Length; s++)
            {
                batch.Add(next[s], prompts[s].Length + n, (LLamaSeqId)s, logits: true);
                rows[s] = s;
            }
            model.Decode(batch);
        }
    }
}
