using Ponder.Benchmarks;
using Ponder.LanguageModels;
using Ponder.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Benchmarks;

/// <summary>The bench building blocks run and account correctly. Timings are never asserted: speed is measured by
/// <c>ponder bench</c> as ratios within one run.</summary>
public sealed class BenchmarkTests
{
    [Fact]
    public void Given_a_small_matmul_When_measuring_the_peak_Then_it_reports_positive_GFLOPs()
    {
        var peak = MatmulPeak.Measure(CPU, ScalarType.Float32, size: 64, seconds: 0.05, warmup: 1);

        Assert.True(peak.Iterations >= 1);
        Assert.Equal(2.0 * 64 * 64 * 64, peak.FlopsPerMatmul);
        Assert.True(peak.GflopsPerSecond > 0);
    }

    [Fact]
    public void Given_a_tiny_model_When_timing_two_train_steps_Then_tokens_per_second_are_positive_and_nothing_leaks()
    {
        using var model = TinyModels.Build(TinyModels.Llama());
        // AdamW state exists from here on
        TrainThroughput.Measure(model, batch: 2, seqLen: 8, steps: 1, warmupSteps: 1);
        DisposeScopeManager.Statistics.Reset();

        var result = TrainThroughput.Measure(model, batch: 2, seqLen: 8, steps: 2, warmupSteps: 0);

        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.Equal(2 * 8 * 2, result.Tokens);
        Assert.True(result.TokensPerSecond > 0);
        Assert.Equal(Flops.TrainPerToken(model.Config, 8), result.FlopsPerToken);
        Assert.InRange(result.FinalLoss, 3.5, 5.5); // a random model over 97 tokens: about ln 97 ≈ 4.57
    }

    [Fact]
    public void Given_packed_rows_When_timing_training_Then_flops_count_each_sequence_at_its_own_length()
    {
        using var model = TinyModels.Build(TinyModels.Llama());
        TrainThroughput.Measure(model, batch: 2, seqLen: 8, steps: 1, packed: 2, warmupSteps: 1);
        DisposeScopeManager.Statistics.Reset();

        var result = TrainThroughput.Measure(model, batch: 2, seqLen: 8, steps: 1, packed: 2, warmupSteps: 0);

        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.Equal(2 * 8, result.Tokens);
        Assert.Equal(Flops.TrainPerToken(model.Config, 4), result.FlopsPerToken); // two sequences of 4 tokens
        Assert.InRange(result.FinalLoss, 3.5, 5.5);
        Assert.Throws<PonderException>(() => TrainThroughput.Measure(model, batch: 1, seqLen: 4, packed: 5));
    }

    [Fact]
    public void Given_a_tiny_model_When_timing_generation_Then_every_row_makes_all_new_tokens_and_nothing_leaks()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "llama", seed: 1);
        GenerateThroughput.Measure(lm, batch: 2, promptTokens: 4, newTokens: 3);
        DisposeScopeManager.Statistics.Reset();

        var result = GenerateThroughput.Measure(lm, batch: 3, promptTokens: 5, newTokens: 4);

        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.Equal(12, result.GeneratedTokens);
        Assert.True(result.TokensPerSecond > 0);
        // prefill: 3 rows · 5 tokens at mean context 3; decode: 3 rows · 3 tokens at mean context 5 + 4/2 = 7
        Assert.Equal(15 * Flops.ForwardPerToken(lm.Config, 3), result.PrefillFlops);
        Assert.Equal(9 * Flops.ForwardPerToken(lm.Config, 7), result.DecodeFlops);
    }
}
