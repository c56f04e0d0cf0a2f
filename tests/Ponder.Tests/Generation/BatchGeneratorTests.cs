using Ponder.Generation;
using Ponder.Model;
using Ponder.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Generation;

public sealed class BatchGeneratorTests : IDisposable
{
    readonly TextTokenizer tokenizer = TextTokenizer.CreateByteLevel();
    readonly CausalLM model = TinyModels.Build(TinyModels.Qwen2(vocab: 320), seed: 11);

    public void Dispose() => model.Dispose();

    BatchGenerator NewGenerator(params int[] stopIds) => new(model, tokenizer, stopIds);

    static IReadOnlyList<int> Ids(params int[] ids) => ids;

    /// <summary>Log-softmax of the full forward's logits at each generated position, gathered at the chosen
    /// tokens.</summary>
    float[] ReferenceLogprobs(Completion c, double temperature)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var all = c.PromptIds.Concat(c.TokenIds).Select(i => (long)i).ToArray();
        var logits = model.Forward(tensor(all).unsqueeze(0))[0]; // (T, V)
        var scaled = temperature == 0 ? logits : logits / temperature;
        var lp = scaled.log_softmax(-1);
        return c.TokenIds.Select((tok, k) => lp[c.PromptIds.Count - 1 + k, tok].item<float>()).ToArray();
    }

    [Fact]
    public void Given_temperature_zero_Then_every_token_is_the_argmax_of_the_full_forward()
    {
        var c = NewGenerator()
            .Generate([Ids(104, 101, 108)], new SamplingOptions { Temperature = 0, MaxNewTokens = 8 })[0];

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var all = c.PromptIds.Concat(c.TokenIds).Select(i => (long)i).ToArray();
        var logits = model.Forward(tensor(all).unsqueeze(0))[0];
        for (int k = 0; k < c.TokenIds.Count; k++)
            Assert.Equal(logits[c.PromptIds.Count - 1 + k, ..261].argmax().item<long>(), c.TokenIds[k]);
        Assert.Equal(FinishReason.Length, c.Finish);
        Assert.Equal(8, c.TokenIds.Count);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(0.7)]
    public void Given_a_completion_Then_its_logprobs_equal_log_softmax_of_the_scaled_logits(double temperature)
    {
        var c = NewGenerator()
            .Generate(
                [Ids(72, 105)],
                new SamplingOptions
                {
                    Temperature = temperature,
                    MaxNewTokens = 10,
                    Seed = 5,
                }
            )[0];
        var expected = ReferenceLogprobs(c, temperature);
        for (int k = 0; k < expected.Length; k++)
            Assert.Equal(expected[k], c.Logprobs[k], 1e-4f);
    }

    [Fact]
    public void Given_the_same_seed_Then_the_same_completions_and_another_seed_gives_others()
    {
        var options = new SamplingOptions
        {
            Temperature = 1.0,
            MaxNewTokens = 12,
            N = 3,
            Seed = 42,
        };
        var a = NewGenerator().Generate([Ids(1, 2, 3)], options);
        var b = NewGenerator().Generate([Ids(1, 2, 3)], options);
        var c = NewGenerator().Generate([Ids(1, 2, 3)], options with { Seed = 43 });

        Assert.Equal(a.Select(x => x.TokenIds), b.Select(x => x.TokenIds));
        Assert.NotEqual(a.Select(x => string.Join(",", x.TokenIds)), c.Select(x => string.Join(",", x.TokenIds)));
        Assert.NotEqual(a[0].TokenIds, a[1].TokenIds); // the N samples of one prompt differ from each other
    }

    [Fact]
    public void Given_prompts_of_mixed_lengths_When_batched_Then_each_equals_its_run_alone()
    {
        IReadOnlyList<int>[] prompts =
        [
            Ids(5, 6, 7),
            Ids(8, 9, 10, 11, 12, 13, 14),
            Ids(40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51),
        ];
        var options = new SamplingOptions
        {
            Temperature = 1.0,
            MaxNewTokens = 10,
            N = 2,
            Seed = 9,
        };

        var batched = NewGenerator().Generate(prompts, options);

        for (int p = 0; p < prompts.Length; p++)
        {
            var alone = NewGenerator().Generate([prompts[p]], options);
            for (int s = 0; s < options.N; s++)
            {
                var x = batched[p * options.N + s];
                Assert.Equal(p, x.PromptIndex);
                Assert.Equal(alone[s].TokenIds, x.TokenIds);
                for (int k = 0; k < x.Logprobs.Count; k++)
                    Assert.Equal(alone[s].Logprobs[k], x.Logprobs[k], 1e-4f);
            }
        }
    }

    [Fact]
    public void Given_a_small_max_batch_When_chunked_Then_results_are_unchanged_and_in_order()
    {
        IReadOnlyList<int>[] prompts = [Ids(5, 6), Ids(7, 8, 9), Ids(10), Ids(11, 12, 13, 14)];
        var options = new SamplingOptions
        {
            Temperature = 0.9,
            MaxNewTokens = 6,
            N = 2,
            Seed = 3,
        };
        var whole = NewGenerator().Generate(prompts, options);
        var chunked = NewGenerator().Generate(prompts, options with { MaxBatchSize = 3 });
        Assert.Equal(whole.Select(c => c.TokenIds), chunked.Select(c => c.TokenIds));
        Assert.Equal(new[] { 0, 0, 1, 1, 2, 2, 3, 3 }, chunked.Select(c => c.PromptIndex));
    }

    [Fact]
    public void Given_a_stop_token_When_it_is_sampled_Then_the_completion_stops_with_it_and_the_text_omits_it()
    {
        var greedy = new SamplingOptions { Temperature = 0, MaxNewTokens = 8 };
        var free = NewGenerator().Generate([Ids(3, 4)], greedy)[0];
        int stopId = free.TokenIds[2]; // make the third greedy token a stop token

        var stopped = NewGenerator(stopId).Generate([Ids(3, 4)], greedy)[0];

        int firstStop = free.TokenIds.ToList().IndexOf(stopId);
        Assert.Equal(free.TokenIds.Take(firstStop + 1), stopped.TokenIds);
        Assert.Equal(FinishReason.Stop, stopped.Finish);
        Assert.Equal(tokenizer.Decode(free.TokenIds.Take(firstStop)), stopped.Text);
    }

    [Fact]
    public void Given_a_stop_string_When_it_appears_Then_the_text_is_cut_before_it()
    {
        // Byte tokens of plain ASCII letters decode one character each; force letters by restricting the vocabulary.
        var options = new SamplingOptions { Temperature = 0, MaxNewTokens = 12 };
        var free = NewGenerator().Generate([Ids(97, 98)], options)[0];
        string stop = free.Text.Substring(3, 2);
        int at = free.Text.IndexOf(stop, StringComparison.Ordinal);

        var cut = NewGenerator().Generate([Ids(97, 98)], options with { Stop = [stop] })[0];

        Assert.Equal(free.Text[..at], cut.Text);
        Assert.Equal(FinishReason.Stop, cut.Finish);
        Assert.True(cut.TokenIds.Count < free.TokenIds.Count);
    }

    [Fact]
    public void Given_a_model_vocabulary_larger_than_the_tokenizer_Then_padding_ids_are_never_sampled()
    {
        var all = NewGenerator()
            .Generate(
                [Ids(1)],
                new SamplingOptions
                {
                    Temperature = 5.0,
                    MaxNewTokens = 64,
                    N = 4,
                    Seed = 1,
                }
            );
        Assert.All(all.SelectMany(c => c.TokenIds), id => Assert.True(id < tokenizer.VocabSize));
    }

    [Fact]
    public void Given_the_end_of_thinking_token_Then_its_position_is_reported()
    {
        int thinkEnd = tokenizer.TokenToId("</think>")!.Value;
        var greedy = new SamplingOptions { Temperature = 0, MaxNewTokens = 6 };
        var free = NewGenerator().Generate([Ids(3, 4)], greedy)[0];
        Assert.Equal(free.TokenIds.ToList().IndexOf(thinkEnd) is var i and >= 0 ? i : null, free.ReasoningEnd);
    }

    [Theory]
    [InlineData(-0.1, 1.0, 0, 10, "temperature")]
    [InlineData(1.0, 0.0, 0, 10, "top-p")]
    [InlineData(1.0, 1.5, 0, 10, "top-p")]
    [InlineData(1.0, 1.0, -1, 10, "top-k")]
    [InlineData(1.0, 1.0, 0, 0, "max-tokens")]
    public void Given_invalid_options_Then_the_error_names_the_option(double t, double p, int k, int max, string name)
    {
        var e = Assert.Throws<PonderException>(() =>
            new SamplingOptions
            {
                Temperature = t,
                TopP = p,
                TopK = k,
                MaxNewTokens = max,
            }.Validate()
        );
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_max_tokens_beyond_the_context_Then_the_error_says_the_limit()
    {
        var e = Assert.Throws<PonderException>(() =>
            NewGenerator().Generate([Ids(1, 2, 3)], new SamplingOptions { MaxNewTokens = 300 })
        );
        Assert.Contains("context of 256", e.Message, StringComparison.Ordinal);
        Assert.Contains("at most 253", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_generation_Then_no_tensor_outlives_it()
    {
        var generator = NewGenerator();
        generator.Generate([Ids(1, 2)], new SamplingOptions { MaxNewTokens = 2, Seed = 1 }); // warm the rotary tables
        DisposeScopeManager.Statistics.Reset();
        generator.Generate(
            [Ids(1, 2), Ids(3, 4, 5)],
            new SamplingOptions
            {
                MaxNewTokens = 20,
                N = 3,
                Seed = 1,
            }
        );
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}

public sealed class TokenPickerTests
{
    [Fact]
    public void Given_top_k_2_Then_only_the_two_best_logits_survive()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1f, 3f, 2f, 0f }).unsqueeze(0);
        var kept = TokenPicker.Truncate(logits, topK: 2, topP: 1.0)[0];
        Assert.Equal(new[] { false, true, true, false }, kept.isfinite().data<bool>().ToArray());
    }

    [Theory]
    // probabilities 0.5, 0.3, 0.15, 0.05 (sorted already). Mass of better tokens: 0, 0.5, 0.8, 0.95.
    // A token is kept while the mass before it is < p.
    [InlineData(0.5, new[] { true, false, false, false })] // 0.5 before token 1 is not < 0.5
    [InlineData(0.7, new[] { true, true, false, false })]
    [InlineData(0.81, new[] { true, true, true, false })]
    [InlineData(0.01, new[] { true, false, false, false })] // the best token is always kept
    public void Given_top_p_Then_the_smallest_nucleus_reaching_p_survives(double p, bool[] expected)
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new double[] { 0.5, 0.3, 0.15, 0.05 }).log().to(ScalarType.Float32).unsqueeze(0);
        var kept = TokenPicker.Truncate(logits, topK: 0, topP: p)[0];
        Assert.Equal(expected, kept.isfinite().data<bool>().ToArray());
    }

    [Fact]
    public void Given_uniforms_Then_inverse_cdf_picks_the_token_whose_interval_holds_u()
    {
        using var scope = NewDisposeScope();
        // probabilities 0.5, 0.3, 0.2 → cumulative 0.5, 0.8, 1.0: u=0.4 → 0, u=0.6 → 1, u=0.95 → 2, u=1 → 2.
        var logits = tensor(new double[] { 0.5, 0.3, 0.2 }).log().to(ScalarType.Float32).unsqueeze(0).expand(4, 3);
        var (tokens, logprobs) = TokenPicker.Pick(logits, 1.0, 0, 1.0, tensor(new float[] { 0.4f, 0.6f, 0.95f, 1f }));
        Assert.Equal(new long[] { 0, 1, 2, 2 }, tokens.data<long>().ToArray());
        Assert.Equal(Math.Log(0.3), logprobs[1].item<float>(), 1e-5);
    }
}
