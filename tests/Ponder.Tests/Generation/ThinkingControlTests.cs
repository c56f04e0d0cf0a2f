using Ponder.Checkpoints;
using Ponder.Generation;
using Ponder.Text;

namespace Ponder.Tests.Generation;

public sealed class ThinkingControlTests
{
    const int End = 100,
        Newline = 10,
        W = 87,
        A = 97;
    static readonly int[] Closing = [End, Newline];
    static readonly int[] Wait = [W, 97, 105, 116]; // "Wait"

    /// <summary>Drives the control with a model that always samples <paramref name="wants"/>, for n steps.</summary>
    static (List<int> Emitted, ThinkingState State) Run(ThinkingControl control, Func<int, int> wants, int steps)
    {
        var state = new ThinkingState();
        var emitted = new List<int>();
        for (int i = 0; i < steps; i++)
            emitted.Add(control.Next(state, wants(i)));
        return (emitted, state);
    }

    [Fact]
    public void Given_a_budget_of_3_When_the_model_keeps_thinking_Then_one_end_and_the_answer_prefix_are_inserted()
    {
        var control = new ThinkingControl(budget: 3, extend: 0, End, Closing, Wait);
        var (emitted, state) = Run(control, _ => A, 8);
        Assert.Equal([A, A, A, End, Newline, A, A, A], emitted);
        Assert.Single(emitted, t => t == End);
        Assert.True(state.BudgetCut);
        Assert.Equal(3, state.ReasoningTokens);
    }

    [Fact]
    public void Given_the_model_closes_its_reasoning_Then_neither_think_marker_may_follow()
    {
        const int Start = 99;
        var control = new ThinkingControl(budget: null, extend: 0, End, Closing, Wait, thinkStart: Start);
        var state = new ThinkingState();

        Assert.Empty(control.Banned(state)); // reasoning: the model may write anything
        control.Next(state, A);
        control.Next(state, End);

        Assert.True(state.ModelClosed);
        Assert.Equal([Start, End], control.Banned(state));
    }

    [Fact]
    public void Given_the_budget_closes_the_reasoning_Then_the_model_may_still_close_it_once_itself()
    {
        const int Start = 99;
        var control = new ThinkingControl(budget: 1, extend: 0, End, Closing, Wait, thinkStart: Start);
        var state = new ThinkingState();

        // A, then the budget's End and "\n" (nothing is banned while forced tokens are pending: the sample is
        // replaced anyway)
        Assert.Equal([A, End], new[] { control.Next(state, A), control.Next(state, A) });
        Assert.Empty(control.Banned(state));
        Assert.Equal(Newline, control.Next(state, A));
        Assert.False(state.ModelClosed);
        Assert.Equal([Start], control.Banned(state)); // no new <think>, but its own </think> is allowed

        Assert.Equal(End, control.Next(state, End)); // the model's own close passes
        Assert.True(state.ModelClosed);
        Assert.Equal([Start, End], control.Banned(state));
    }

    [Fact]
    public void Given_rows_with_and_without_bans_Then_the_exclusions_add_minus_infinity_only_at_each_rows_ids()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var vocab = TorchSharp.torch.tensor(new float[] { 0, 0, 0, float.NegativeInfinity }); // id 3 is padding
        Assert.Same(
            vocab,
            ThinkingControl.Exclusions(
                vocab,
                [
                    [],
                    [],
                ]
            )
        ); // no bans: the (V) mask itself

        var mask = ThinkingControl.Exclusions(
            vocab,
            [
                [1],
                [],
                [0, 2],
            ]
        );

        float n = float.NegativeInfinity;
        Assert.Equal(
            [
                0,
                n,
                0,
                n, /**/
                0,
                0,
                0,
                n, /**/
                n,
                0,
                n,
                n,
            ],
            mask.data<float>().ToArray()
        );
        Assert.Equal([3L, 4L], mask.shape);
    }

    [Fact]
    public void Given_a_budget_of_0_Then_the_answer_starts_at_once()
    {
        var (emitted, _) = Run(new ThinkingControl(0, 0, End, Closing, Wait), _ => A, 3);
        Assert.Equal([End, Newline, A], emitted);
    }

    [Fact]
    public void Given_two_extensions_When_the_model_always_wants_to_stop_Then_Wait_is_appended_twice_and_never_more()
    {
        var control = new ThinkingControl(budget: null, extend: 2, End, Closing, Wait);
        var (emitted, state) = Run(control, _ => End, 12);
        // End suppressed → "Wait" (4 tokens), again → "Wait", then the third End is let through; after it the model
        // "answers" with End tokens that are no longer thinking and pass unchanged.
        Assert.Equal([W, 97, 105, 116, W, 97, 105, 116, End, End, End, End], emitted);
        Assert.Equal(2, state.Extensions);
        Assert.Equal(8, state.ReasoningTokens);
    }

    [Fact]
    public void Given_an_extension_that_would_overrun_the_budget_Then_the_end_of_thinking_is_allowed()
    {
        var control = new ThinkingControl(budget: 5, extend: 3, End, Closing, Wait);
        // Reasoning: A A, then End at step 2 → room (2 + 4 ≤ 5)? no → End is kept.
        var (emitted, state) = Run(control, i => i < 2 ? A : End, 3);
        Assert.Equal([A, A, End], emitted);
        Assert.Equal(0, state.Extensions);
    }

    [Fact]
    public void Given_a_budget_Then_reasoning_plus_answer_tokens_add_up_and_the_cut_is_at_the_budget()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        using var model = TinyModels.Build(TinyModels.Qwen2(vocab: 320), seed: 11);
        int imEnd = tokenizer.TokenToId("<|im_end|>")!.Value,
            thinkEnd = tokenizer.TokenToId("</think>")!.Value;
        var generator = new BatchGenerator(model, tokenizer, [imEnd]);
        int thinkStart = tokenizer.TokenToId("<think>")!.Value;
        var completions = generator.Generate(
            [
                [1, 2, 3, thinkStart], // the prompt opens the reasoning, as the chat template's generation prompt does
            ],
            new SamplingOptions
            {
                MaxThinkingTokens = 6,
                MaxNewTokens = 20,
                N = 4,
                Seed = 1,
            }
        );
        foreach (var c in completions)
        {
            Assert.Equal(c.TokenIds.Count, c.ReasoningTokens + c.AnswerTokens);
            if (c.BudgetCut)
            {
                // The budget's close at 6; the model may close once more itself (then ReasoningEnd is its close).
                Assert.True(c.ReasoningEnd >= 6);
                Assert.Equal(thinkEnd, c.TokenIds[6]);
                Assert.Equal('\n', c.TokenIds[7]);
            }
            else
            {
                Assert.True(c.ReasoningEnd < 6);
            }
        }
        Assert.Contains(completions, c => c.BudgetCut);
    }

    [Theory]
    [InlineData("low", 2048, 128)]
    [InlineData("medium", 2048, 256)]
    [InlineData("high", 2048, 512)]
    public void Given_no_configured_budgets_Then_effort_maps_to_fractions_of_the_context(
        string effort,
        int context,
        int expected
    )
    {
        Assert.Equal(expected, ReasoningEffort.Budget(effort, new GenerationConfig(), context));
    }

    [Fact]
    public void Given_budgets_in_generation_config_Then_they_win()
    {
        var config = GenerationConfig.Parse("""{"thinking_budgets": {"low": 8, "medium": 32, "high": 99}}""");
        Assert.Equal(32, ReasoningEffort.Budget("medium", config, 2048));
        Assert.Throws<PonderException>(() => ReasoningEffort.Budget("extreme", config, 2048));
    }

    [Fact]
    public void Given_an_answer_opening_When_the_model_closes_its_reasoning_Then_the_opening_follows_its_close()
    {
        // The opening is the answer prefix ("\n") and the forced text (tokens 60, 61), as ThinkingControl.For
        // builds it from RowSettings.AnswerPrefix.
        var control = new ThinkingControl(null, 0, End, [End], Wait, answerOpening: [Newline, 60, 61]);

        var (emitted, state) = Run(control, i => i == 1 ? End : A, 6);

        Assert.Equal([A, End, Newline, 60, 61, A], emitted);
        Assert.True(state.ModelClosed);
    }

    [Fact]
    public void Given_an_answer_opening_When_the_budget_closes_the_reasoning_Then_the_opening_follows_that_close()
    {
        var control = new ThinkingControl(budget: 2, extend: 0, End, [End], Wait, answerOpening: [Newline, 60, 61]);

        var (emitted, state) = Run(control, _ => A, 7);

        Assert.Equal([A, A, End, Newline, 60, 61, A], emitted);
        Assert.True(state.BudgetCut);
    }
}
