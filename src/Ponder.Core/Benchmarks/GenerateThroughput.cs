using System.Diagnostics;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Model;
using static TorchSharp.torch;

namespace Ponder.Benchmarks;

/// <summary>Generation speed at one batch size, split into the whole call and its decode part.</summary>
/// <param name="Batch">Prompts generated together.</param>
/// <param name="PromptTokens">Tokens per prompt.</param>
/// <param name="NewTokens">Tokens generated per prompt (stop tokens are disabled, so every row makes all of
/// them).</param>
/// <param name="Seconds">Wall time of the whole <see cref="BatchGenerator.Generate"/> call (prefill + decode).</param>
/// <param name="PrefillSeconds">Wall time of a call that generates one token: prefill plus the first pick.</param>
/// <param name="PrefillFlops">FLOPs of the prefill: B·P·forward(S = (P + 1) / 2).</param>
/// <param name="DecodeFlops">FLOPs of the NewTokens − 1 decode forwards: B·(NewTokens − 1)·forward(S = P + NewTokens /
/// 2), the mean cache length the decoded tokens attend to (the last sampled token is never fed back).</param>
public sealed record GenerateThroughputResult(
    int Batch,
    int PromptTokens,
    int NewTokens,
    double Seconds,
    double PrefillSeconds,
    double PrefillFlops,
    double DecodeFlops
)
{
    public long GeneratedTokens => (long)Batch * NewTokens;

    /// <summary>Generated tokens per second of the whole call (what a user waits for).</summary>
    public double TokensPerSecond => GeneratedTokens / Seconds;

    public double GflopsPerSecond => (PrefillFlops + DecodeFlops) / Seconds / 1e9;

    /// <summary>Decode time alone: the whole call minus the one-token call.</summary>
    public double DecodeSeconds => Math.Max(Seconds - PrefillSeconds, 1e-9);

    /// <summary>Tokens per second of the decode loop alone (B·(NewTokens − 1) tokens).</summary>
    public double DecodeTokensPerSecond => (double)Batch * (NewTokens - 1) / DecodeSeconds;

    public double DecodeGflopsPerSecond => DecodeFlops / DecodeSeconds / 1e9;
}

/// <summary>
/// Times the real <see cref="BatchGenerator"/> (batched KV-cache decoding) on random prompts of equal length, greedy,
/// with no stop tokens. A warm-up call runs first; the prefill cost is measured by a separate one-token call.
/// </summary>
public static class GenerateThroughput
{
    /// <param name="lm">The model and tokenizer; its network is used as loaded (device, dtype).</param>
    /// <param name="batch">Prompts per call. <value>The default value is 1.</value></param>
    /// <param name="promptTokens">Tokens per prompt. <value>The default value is 64.</value></param>
    /// <param name="newTokens">Tokens generated per prompt. <value>The default value is 128.</value></param>
    /// <param name="seed">Seed of the random prompts. <value>The default value is 0.</value></param>
    public static GenerateThroughputResult Measure(
        LanguageModel lm,
        int batch = 1,
        int promptTokens = 64,
        int newTokens = 128,
        long seed = 0
    )
    {
        ArgumentNullException.ThrowIfNull(lm);
        Validate(lm.Config, batch, promptTokens, newTokens);
        var config = lm.Config;
        var rng = new Random((int)seed);
        int vocab = Math.Min(lm.Tokenizer.VocabSize, config.VocabSize);
        var prompts = Enumerable
            .Range(0, batch)
            .Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, promptTokens).Select(_ => rng.Next(vocab)).ToArray())
            .ToArray();
        var generator = new BatchGenerator(lm.Network, lm.Tokenizer, []); // no stop ids: every row makes newTokens
        SamplingOptions Options(int tokens) =>
            new()
            {
                Temperature = 0,
                MaxNewTokens = tokens,
                MaxBatchSize = batch,
                Seed = seed,
            };

        // warm-up: allocator, thread pool, rotary tables
        Time(() => generator.Generate(prompts, Options(Math.Min(newTokens, 8))));
        double prefillSeconds = Time(() => generator.Generate(prompts, Options(1)));
        double seconds = Time(() => generator.Generate(prompts, Options(newTokens)));

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
        // One scope per request, as a server would hold: it also frees tensors the generator leaves outside any scope.
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    static void Validate(ModelConfig config, int batch, int promptTokens, int newTokens)
    {
        if (batch < 1)
            throw new PonderException($"batch {batch} must be positive.");
        if (promptTokens < 1)
            throw new PonderException($"prompt-tokens {promptTokens} must be positive.");
        if (newTokens < 2)
        {
            throw new PonderException(
                $"new-tokens {newTokens} must be at least 2 (one prefill pick plus decode steps)."
            );
        }

        if (promptTokens + newTokens > config.MaxPositionEmbeddings)
        {
            throw new PonderException(
                $"prompt-tokens {promptTokens} + new-tokens {newTokens} exceeds the model's context of "
                    + $"{config.MaxPositionEmbeddings} tokens; lower one of them."
            );
        }
    }
}
