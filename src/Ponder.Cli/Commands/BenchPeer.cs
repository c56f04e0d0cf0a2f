using Ponder.Benchmarks;
using Ponder.Checkpoints.Gguf;
using Ponder.LanguageModels;
using Ponder.LlamaCpp;
using static TorchSharp.torch;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>--peer llama.cpp</c> of <c>ponder bench generate</c>: the same model exported to GGUF (float32, or bfloat16 when
/// Ponder runs in bfloat16) and timed through LLamaSharp at the same batch sizes, prompt, length and threads. Each
/// batch size runs with flash attention off and on and reports the faster, so the ratio is against llama.cpp at its
/// best on this machine.
/// </summary>
static class BenchPeer
{
    public const string LlamaCpp = "llama.cpp";

    /// <summary>One peer measurement: its rows and the ratio of Ponder's tokens/s to llama.cpp's.</summary>
    public sealed record Result(BenchRow[] Rows, KeyValuePair<string, double>[] Ratios);

    public static void Check(string? peer)
    {
        if (peer is not (null or LlamaCpp))
            throw new PonderException($"--peer {peer}: unknown peer; the one supported is {LlamaCpp}.");
    }

    public static GgufType GgufTypeFor(ScalarType dtype) => dtype == ScalarType.BFloat16 ? GgufType.BF16 : GgufType.F32;

    /// <summary>Measures llama.cpp at <paramref name="batch"/> and compares it with Ponder's
    /// <paramref name="ponder"/> of the same batch.</summary>
    public static Result Measure(
        string gguf,
        LanguageModel lm,
        GenerateThroughputResult ponder,
        MatmulPeakResult peak,
        int threads
    )
    {
        GenerateThroughputResult Run(bool flash) =>
            LlamaCppThroughput.Measure(
                gguf,
                lm.Config,
                Math.Min(lm.Tokenizer.VocabSize, lm.Config.VocabSize),
                ponder.Batch,
                ponder.PromptTokens,
                ponder.NewTokens,
                new LlamaCppOptions
                {
                    Threads = threads,
                    FlashAttention = flash,
                    HalfPrecisionCache = true, // llama.cpp's default KV cache
                    // One KV stream per sequence: llama.cpp's advice for independent sequences (a unified buffer
                    // makes every token attend over every sequence's cells, masked).
                    KvUnified = false,
                }
            );
        var off = Run(flash: false);
        var on = Run(flash: true);
        bool onWins = on.TokensPerSecond > off.TokensPerSecond;
        var best = onWins ? on : off;
        string label = $"llama.cpp batch {best.Batch} (flash attention {(onWins ? "on" : "off")})";
        return new Result(
            [
                new BenchRow(
                    $"{label} prefill + decode",
                    best.TokensPerSecond,
                    best.GflopsPerSecond,
                    best.GflopsPerSecond / peak.GflopsPerSecond
                ),
                new BenchRow(
                    $"{label} decode only",
                    best.DecodeTokensPerSecond,
                    best.DecodeGflopsPerSecond,
                    best.DecodeGflopsPerSecond / peak.GflopsPerSecond
                ),
            ],
            [
                new($"batch {best.Batch} prefill + decode", ponder.TokensPerSecond / best.TokensPerSecond),
                new($"batch {best.Batch} decode only", ponder.DecodeTokensPerSecond / best.DecodeTokensPerSecond),
            ]
        );
    }
}
