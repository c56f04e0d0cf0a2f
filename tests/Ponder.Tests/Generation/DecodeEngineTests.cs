using Ponder.Generation;
using Ponder.Model;
using Ponder.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Generation;

public sealed class DecodeEngineTests : IDisposable
{
    readonly TextTokenizer tokenizer = TextTokenizer.CreateByteLevel();
    readonly CausalLM model = TinyModels.Build(TinyModels.Qwen2(vocab: 320), seed: 11);

    public void Dispose() => model.Dispose();

    int ThinkStart => tokenizer.TokenToId("<think>")!.Value;
    int ThinkEnd => tokenizer.TokenToId("</think>")!.Value;

    DecodeRow Row(IReadOnlyList<int> prompt, RowSettings settings, int seed, bool? open = null) =>
        new(prompt, settings, new Random(seed), open ?? DecodeRow.ReasoningOpens(prompt, ThinkStart, ThinkEnd));

    /// <summary>Runs <paramref name="rows"/> through one engine, adding row i at step <paramref name="joinAt"/>[i]
    /// (or when a slot frees).</summary>
    void Run(IReadOnlyList<DecodeRow> rows, int slots, int[]? joinAt = null, int prefillChunk = 512)
    {
        using var _ = inference_mode();
        using var engine = new DecodeEngine(model, tokenizer, [], slots, capacity: 8, prefillChunk, startSlots: 1);
        int next = 0;
        for (int step = 0; next < rows.Count || engine.Count > 0; step++)
        {
            while (next < rows.Count && engine.HasRoom && (joinAt is null || joinAt[next] <= step))
                engine.Add(rows[next++]);
            engine.Step();
        }
    }

    static RowSettings Sampled(int max) => new() { Temperature = 0.9, MaxNewTokens = max };

    [Fact]
    public void Given_rows_joining_at_different_steps_and_reusing_freed_slots_Then_each_equals_its_run_alone()
    {
        // Given five prompts of different lengths, sampled, with different limits, through 2 slots (slots are reused
        // as rows end, and the cache grows from 1 slot of 8 columns while rows run)
        int[][] prompts =
        [
            [5, 6, 7],
            [8, 9, 10, 11, 12, 13, 14],
            [40, 41],
            [60, 61, 62, 63, 64],
            [70],
        ];
        var together = prompts.Select((p, i) => Row(p, Sampled(6 + 3 * i), seed: i)).ToArray();

        Run(together, slots: 2, joinAt: [0, 3, 4, 5, 9]);

        for (int i = 0; i < prompts.Length; i++)
        {
            var alone = Row(prompts[i], Sampled(6 + 3 * i), seed: i);
            Run([alone], slots: 1);
            Assert.Equal(alone.Tokens, together[i].Tokens);
            for (int k = 0; k < alone.Logprobs.Count; k++)
                Assert.Equal(alone.Logprobs[k], together[i].Logprobs[k], 1e-4f);
            Assert.Equal(FinishReason.Length, together[i].Finish);
        }
    }

    [Fact]
    public void Given_rows_joining_while_another_holds_their_prompt_Then_each_equals_its_run_alone()
    {
        // Given three samples of one prompt joining at steps 0, 2 and 7: the second copies the first's prompt keys
        // and logits; the first ends (4 tokens) before the third joins, which copies from the second
        int[] prompt = [5, 6, 7, 8, 9];
        int[] limits = [4, 12, 5];
        var together = limits.Select((max, i) => Row(prompt, Sampled(max), seed: i)).ToArray();

        Run(together, slots: 3, joinAt: [0, 2, 7]);

        for (int i = 0; i < limits.Length; i++)
        {
            var alone = Row(prompt, Sampled(limits[i]), seed: i);
            Run([alone], slots: 1);
            Assert.Equal(alone.Tokens, together[i].Tokens);
            for (int k = 0; k < alone.Logprobs.Count; k++)
                Assert.Equal(alone.Logprobs[k], together[i].Logprobs[k], 1e-6f);
        }
    }

    [Fact]
    public void Given_a_prompt_prefilled_in_chunks_Then_tokens_equal_the_whole_prefill_and_logits_the_full_forward()
    {
        int[] prompt = [.. Enumerable.Range(30, 23)];
        var whole = Row(prompt, new RowSettings { Temperature = 0, MaxNewTokens = 10 }, seed: 1);
        var chunked = Row(prompt, new RowSettings { Temperature = 0, MaxNewTokens = 10 }, seed: 1);

        Run([whole], slots: 1);
        Run([chunked], slots: 1, prefillChunk: 5); // 5 + 5 + 5 + 5 + 3, one chunk per step

        Assert.Equal(whole.Tokens, chunked.Tokens);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var all = prompt.Concat(chunked.Tokens).Select(i => (long)i).ToArray();
        var lp = model.Forward(tensor(all).unsqueeze(0))[0].log_softmax(-1); // (T, V)
        for (int k = 0; k < chunked.Tokens.Count; k++)
            Assert.Equal(lp[prompt.Length - 1 + k, chunked.Tokens[k]].item<float>(), chunked.Logprobs[k], 1e-4f);
    }

    [Fact]
    public void Given_a_long_prompt_joining_Then_a_running_row_keeps_getting_a_token_every_step()
    {
        var running = Row([1, 2], Sampled(12), seed: 3);
        var longPrompt = Row([.. Enumerable.Range(20, 40)], Sampled(4), seed: 4);
        using var _ = inference_mode();
        using var engine = new DecodeEngine(model, tokenizer, [], slots: 2, capacity: 64, prefillChunk: 8);
        engine.Add(running);
        engine.Step();
        engine.Add(longPrompt);
        for (int step = 2; step <= 6; step++) // the long prompt needs 5 steps of 8 tokens
        {
            engine.Step();
            Assert.Equal(step, running.Tokens.Count);
        }
        Assert.Single(longPrompt.Tokens); // prefilled at step 6 and picked its first token then
    }

    [Fact]
    public void Given_a_stop_string_in_the_reasoning_Then_it_does_not_end_the_row_but_in_the_answer_it_does()
    {
        // Given a greedy row whose prompt opens the reasoning; its free run closes it within 60 tokens (checked)
        var settings = new RowSettings
        {
            Temperature = 0,
            MaxNewTokens = 60,
            MaxThinkingTokens = 8,
        };
        int[] prompt = [104, 105, ThinkStart];
        var free = Row(prompt, settings, seed: 1);
        Run([free], slots: 1);
        Assert.NotNull(free.AnswerFrom);
        string reasoning = tokenizer.Decode(free.Tokens.Take(free.ReasoningEnd!.Value));
        string answer = tokenizer.Decode(free.Tokens.Skip(free.AnswerFrom!.Value + 1)); // after the prefix "\n"
        Assert.True(answer.Length >= 6, $"premise: an answer of at least 6 characters, got '{answer}'");
        string inReasoning = reasoning.Substring(2, 2);
        Assert.DoesNotContain(inReasoning, answer, StringComparison.Ordinal); // premise: only in the reasoning

        var notStopped = Row(prompt, settings with { Stop = [inReasoning] }, seed: 1);
        string inAnswer = answer.Substring(3, 2);
        var stopped = Row(prompt, settings with { Stop = [inAnswer] }, seed: 1);
        Run([notStopped, stopped], slots: 2);

        Assert.Equal(free.Tokens, notStopped.Tokens);
        Assert.Null(notStopped.StoppedBy);
        Assert.Equal(inAnswer, stopped.StoppedBy);
        Assert.Equal(FinishReason.Stop, stopped.Finish);
        Assert.True(stopped.Tokens.Count < free.Tokens.Count);
    }

    [Fact]
    public void Given_a_prompt_that_does_not_open_the_reasoning_Then_no_think_marker_is_generated()
    {
        var rows = Enumerable
            .Range(0, 4)
            .Select(i => Row([1, 2, 3], new RowSettings { Temperature = 3, MaxNewTokens = 40 }, seed: i))
            .ToArray();
        Run(rows, slots: 4);
        Assert.All(rows, r => Assert.DoesNotContain(ThinkEnd, r.Tokens));
        Assert.All(rows, r => Assert.DoesNotContain(ThinkStart, r.Tokens));
        Assert.All(rows, r => Assert.Equal(0, r.AnswerFrom));
    }

    [Fact]
    public void Given_rows_with_top_k_1_or_a_min_p_of_1_Then_each_samples_the_greedy_tokens()
    {
        var greedy = Row([7, 8], new RowSettings { Temperature = 0, MaxNewTokens = 12 }, seed: 0);
        var topK = Row(
            [7, 8],
            new RowSettings
            {
                Temperature = 1.5,
                TopK = 1,
                MaxNewTokens = 12,
            },
            seed: 1
        );
        var minP = Row(
            [7, 8],
            new RowSettings
            {
                Temperature = 1.5,
                MinP = 1,
                MaxNewTokens = 12,
            },
            seed: 2
        );
        var free = Row([7, 8], new RowSettings { Temperature = 1.5, MaxNewTokens = 12 }, seed: 3);

        Run([greedy, topK, minP, free], slots: 4);

        Assert.Equal(greedy.Tokens, topK.Tokens);
        Assert.Equal(greedy.Tokens, minP.Tokens);
        Assert.NotEqual(greedy.Tokens, free.Tokens);
    }

    [Fact]
    public void Given_min_p_Then_tokens_below_that_share_of_the_best_are_dropped()
    {
        using var scope = NewDisposeScope();
        // probabilities 0.5, 0.3, 0.15, 0.05: min-p 0.3 keeps p ≥ 0.15 (0.5, 0.3, 0.15); 0.61 keeps p ≥ 0.305 (0.5).
        var logits = tensor(new double[] { 0.5, 0.3, 0.15, 0.05 }).log().to(ScalarType.Float32).unsqueeze(0);
        var kept = TokenPicker.Truncate(logits.expand(2, 4), new RowSampling([1, 1], [0, 0], [1, 1], [0.3f, 0.61f]));
        Assert.Equal(new[] { true, true, true, false }, kept[0].isfinite().data<bool>().ToArray());
        Assert.Equal(new[] { true, false, false, false }, kept[1].isfinite().data<bool>().ToArray());
    }

    [Fact]
    public void Given_a_burst_that_grew_the_cache_When_every_row_ended_Then_the_cache_is_back_at_its_start_size()
    {
        using var _ = inference_mode();
        using var engine = new DecodeEngine(model, tokenizer, [], slots: 4, capacity: 8, startSlots: 1);
        foreach (int seed in new[] { 1, 2, 3 })
            engine.Add(Row([1, 2, 3, 4], Sampled(10), seed));
        Assert.Equal((4, 16), engine.CacheSize); // 3 slots asked: doubled to 2, then 4; 14 tokens: doubled to 16

        while (engine.Count > 0)
            engine.Step();

        Assert.Equal((1, 8), engine.CacheSize);
    }

    [Fact]
    public void Given_a_stop_string_that_is_the_answer_prefix_Then_the_completion_keeps_the_prefix_and_cuts_later()
    {
        // Given a budget that closes the reasoning (</think> then the answer prefix "\n") and "\n" as a stop string:
        // the prefix is template, so the stop applies to the answer after it.
        var generator = new BatchGenerator(model, tokenizer, []);
        var options = new SamplingOptions
        {
            Temperature = 0,
            MaxNewTokens = 40,
            MaxThinkingTokens = 3,
        };
        int[] prompt = [104, 105, ThinkStart];
        var free = generator.Generate([prompt], options)[0];
        string afterClose = free.Text[(free.Text.IndexOf("</think>\n", StringComparison.Ordinal) + 9)..];
        Assert.Contains("\n", afterClose); // the premise: the answer has a newline of its own

        var cut = generator.Generate([prompt], options with { Stop = ["\n"] })[0];

        Assert.Equal(FinishReason.Stop, cut.Finish);
        Assert.Equal(
            free.Text[..(free.Text.Length - afterClose.Length)] + afterClose[..afterClose.IndexOf('\n')],
            cut.Text
        );
    }

    [Fact]
    public void Given_a_run_Then_no_tensor_outlives_the_engine()
    {
        Run([Row([1, 2], Sampled(4), seed: 1)], slots: 1); // warm the rotary tables
        DisposeScopeManager.Statistics.Reset();
        Run([Row([1, 2], Sampled(9), seed: 1), Row([1, 2], Sampled(5), seed: 2), Row([3], Sampled(7), 3)], slots: 2);
        Run([Row([1, 2], Sampled(3), seed: 1), Row([1, 2], Sampled(5), seed: 2)], slots: 2, joinAt: [0, 2]);
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
