using Ponder.Generation;
using Ponder.Serving;

namespace Ponder.Tests.Serving;

public sealed class InferenceEngineTests(TinyChatModel tiny) : IClassFixture<TinyChatModel>
{
    static async Task<SequenceResult> Drain(SequenceHandle h)
    {
        await foreach (var _ in h.Deltas.ReadAllAsync()) { }
        return await h.Result;
    }

    [Fact]
    public async Task Given_16_concurrent_requests_with_seeds_Then_each_equals_the_static_generator_alone()
    {
        // Given 16 prompts of different lengths, half greedy and half sampled, some with a thinking budget
        var requests = Enumerable
            .Range(0, 16)
            .Select(i => new GenerationRequest
            {
                PromptIds = tiny.Prompt(new string('x', i * 3) + $"question {i}"),
                Temperature = i % 2 == 0 ? 0 : 0.8,
                TopP = i % 4 == 1 ? 0.9 : 1.0,
                Seed = 100 + i,
                MaxNewTokens = 12 + i,
                MaxThinkingTokens = i % 3 == 0 ? 5 : null,
            })
            .ToArray();
        using var engine = new InferenceEngine(tiny.Model, new EngineOptions { MaxConcurrency = 16 });

        // When they are submitted together (later ones join a running batch)
        var handles = requests.Select(engine.Submit).ToArray();
        var results = await Task.WhenAll(handles.Select(Drain));

        // Then each sequence's tokens equal the static-batch generator's for the same prompt and seed
        for (int i = 0; i < requests.Length; i++)
        {
            var r = requests[i];
            var expected = tiny.Reference(
                r.PromptIds,
                new SamplingOptions
                {
                    Temperature = r.Temperature,
                    TopP = r.TopP,
                    Seed = r.Seed,
                    MaxNewTokens = r.MaxNewTokens,
                    MaxThinkingTokens = r.MaxThinkingTokens,
                }
            );
            Assert.Equal(expected.TokenIds, results[i].TokenIds);
            Assert.Equal(expected.Finish, results[i].Finish);
            Assert.Equal(expected.ReasoningTokens, results[i].ReasoningTokens);
        }
        Assert.Equal(0, engine.Active);
    }

    [Fact]
    public async Task Given_rows_with_and_without_penalties_in_one_batch_Then_each_gets_its_tokens_alone()
    {
        // Given requests alternating between no adjustment and penalties with a bias (some greedy, some sampled)
        var bias = new Dictionary<int, double> { [tiny.Model.Tokenizer.Encode("e").Single()] = 4 };
        var requests = Enumerable
            .Range(0, 8)
            .Select(i => new GenerationRequest
            {
                PromptIds = tiny.Prompt($"row {i}"),
                Temperature = i % 4 < 2 ? 0 : 0.9,
                Seed = 40 + i,
                MaxNewTokens = 20,
                MaxThinkingTokens = 6,
                FrequencyPenalty = i % 2 == 1 ? 0.8 : 0,
                PresencePenalty = i % 2 == 1 ? 1.5 : 0,
                LogitBias = i % 2 == 1 ? bias : LogitAdjustment.None.Bias,
            })
            .ToArray();
        using var engine = new InferenceEngine(tiny.Model, new EngineOptions { MaxConcurrency = 8 });

        // When they decode together, and then each alone
        var together = await Task.WhenAll(requests.Select(engine.Submit).Select(Drain));
        var alone = new List<SequenceResult>();
        foreach (var r in requests)
            alone.Add(await Drain(engine.Submit(r)));

        // Then every row's tokens are its own: those without adjustments are the static generator's (which has
        // none), those with them differ from it
        for (int i = 0; i < requests.Length; i++)
        {
            var r = requests[i];
            Assert.Equal(alone[i].TokenIds, together[i].TokenIds);
            var plain = tiny.Reference(
                r.PromptIds,
                new SamplingOptions
                {
                    Temperature = r.Temperature,
                    Seed = r.Seed,
                    MaxNewTokens = r.MaxNewTokens,
                    MaxThinkingTokens = r.MaxThinkingTokens,
                }
            );
            if (i % 2 == 0)
                Assert.Equal(plain.TokenIds, together[i].TokenIds);
            else
                Assert.NotEqual(plain.TokenIds, together[i].TokenIds);
        }
    }

    [Theory]
    [InlineData(2.5, 0, 5, 1.0, "frequency")]
    [InlineData(0, -2.01, 5, 1.0, "presence")]
    [InlineData(0, 0, -1, 1.0, "-1")]
    [InlineData(0, 0, 100000, 1.0, "100000")]
    [InlineData(0, 0, 5, 100.5, "100.5")]
    public void Given_an_out_of_range_penalty_or_bias_Then_submit_says_what_to_change(
        double frequency,
        double presence,
        int id,
        double bias,
        string named
    )
    {
        using var engine = new InferenceEngine(tiny.Model);
        var e = Assert.Throws<PonderException>(() =>
            engine.Submit(
                new GenerationRequest
                {
                    PromptIds = tiny.Prompt("x"),
                    FrequencyPenalty = frequency,
                    PresencePenalty = presence,
                    LogitBias = new Dictionary<int, double> { [id] = bias },
                }
            )
        );
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_thinking_budget_Then_the_reasoning_is_closed_and_the_deltas_add_up_to_the_result()
    {
        using var engine = new InferenceEngine(tiny.Model);
        var h = engine.Submit(
            new GenerationRequest
            {
                PromptIds = tiny.Prompt("hi"),
                Temperature = 0,
                MaxNewTokens = 20,
                MaxThinkingTokens = 4,
            }
        );
        var reasoning = new System.Text.StringBuilder();
        var answer = new System.Text.StringBuilder();
        await foreach (var d in h.Deltas.ReadAllAsync())
            (d.IsReasoning ? reasoning : answer).Append(d.Text);
        var result = await h.Result;

        Assert.True(result.ReasoningClosed);
        Assert.Equal(5, result.ReasoningTokens); // 4 reasoning tokens + </think>
        Assert.Equal(result.Answer, answer.ToString());
        Assert.StartsWith(result.Reasoning, reasoning.ToString(), StringComparison.Ordinal);
        Assert.Equal(20, result.CompletionTokens);
    }

    [Fact]
    public async Task Given_one_slot_When_the_running_sequence_is_cancelled_Then_the_waiting_one_runs()
    {
        using var engine = new InferenceEngine(tiny.Model, new EngineOptions { MaxConcurrency = 1, MaxQueue = 1 });
        // Seeded, so deterministic: with seed 14 this prompt samples 600 tokens before a stop token (the premise is
        // checked first), so it holds the only slot until cancelled; one that stopped early would free it and the
        // queue-full refusal below would not happen.
        var longOptions = new SamplingOptions
        {
            Temperature = 1.0,
            MaxNewTokens = 900,
            Seed = 14,
        };
        Assert.True(tiny.Reference(tiny.Prompt("long"), longOptions).TokenIds.Count >= 500);
        var longOne = engine.Submit(
            new GenerationRequest
            {
                PromptIds = tiny.Prompt("long"),
                MaxNewTokens = 900,
                Seed = 14,
            }
        );
        await longOne.Deltas.WaitToReadAsync();
        var next = engine.Submit(
            new GenerationRequest
            {
                PromptIds = tiny.Prompt("next"),
                MaxNewTokens = 5,
                Seed = 2,
            }
        );
        Assert.Throws<EngineBusyException>(() =>
            engine.Submit(new GenerationRequest { PromptIds = tiny.Prompt("third"), MaxNewTokens = 5 })
        );

        longOne.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => longOne.Result);
        var result = await Drain(next).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(5, result.CompletionTokens);
    }

    [Fact]
    public async Task Given_waves_of_requests_joining_and_leaving_Then_no_tensor_outlives_them()
    {
        using var engine = new InferenceEngine(tiny.Model, new EngineOptions { MaxConcurrency = 8 });
        async Task Wave(int first)
        {
            var handles = Enumerable
                .Range(first, 12)
                .Select(i =>
                    engine.Submit(
                        new GenerationRequest
                        {
                            PromptIds = tiny.Prompt(new string('y', i % 7) + "wave"),
                            Seed = i,
                            MaxNewTokens = 5 + i % 9,
                            MaxThinkingTokens = i % 2 == 0 ? 3 : null,
                        }
                    )
                )
                .ToArray();
            await Task.WhenAll(handles.Select(Drain));
            for (int i = 0; i < 1000 && engine.Active > 0; i++)
                await Task.Delay(10);
        }

        await Wave(0);
        long afterFirst = engine.IdleLiveTensors;
        await Wave(100);
        await Wave(200);

        Assert.True(afterFirst >= 0);
        Assert.Equal(afterFirst, engine.IdleLiveTensors);
    }

    [Fact]
    public async Task Given_a_stop_string_in_the_answer_Then_the_answer_and_its_deltas_end_before_it()
    {
        using var engine = new InferenceEngine(tiny.Model);
        var request = new GenerationRequest
        {
            PromptIds = tiny.Prompt("stop"),
            Temperature = 1,
            Seed = 4,
            MaxNewTokens = 40,
            MaxThinkingTokens = 3,
        };
        var free = await Drain(engine.Submit(request));
        Assert.True(free.Answer.Length >= 8, $"the free answer is too short: {free.Answer.Length} chars");
        string stop = free.Answer.Substring(4, 3);

        var h = engine.Submit(request with { Stop = [stop] });
        var streamed = new System.Text.StringBuilder();
        await foreach (var d in h.Deltas.ReadAllAsync())
        {
            if (!d.IsReasoning)
                streamed.Append(d.Text);
        }

        var cut = await h.Result;

        Assert.Equal(free.Answer[..free.Answer.IndexOf(stop, StringComparison.Ordinal)], cut.Answer);
        Assert.Equal(cut.Answer, streamed.ToString());
        Assert.Equal(FinishReason.Stop, cut.Finish);
    }

    [Fact]
    public void Given_a_prompt_longer_than_the_context_Then_submit_says_what_to_change()
    {
        using var engine = new InferenceEngine(tiny.Model);
        var e = Assert.Throws<PonderException>(() =>
            engine.Submit(new GenerationRequest { PromptIds = tiny.Prompt("x"), MaxNewTokens = 5000 })
        );
        Assert.Contains("context", e.Message, StringComparison.Ordinal);
    }
}
