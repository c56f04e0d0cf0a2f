using Ponder.Generation;
using Ponder.Model;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Tests.Generation;

/// <summary>The engine's per-row model log-probabilities (what the server's <c>logprobs</c> report), checked against
/// an independent full forward over prompt and completion.</summary>
public sealed class ModelLogprobsTests : IDisposable
{
    readonly TextTokenizer tokenizer = TextTokenizer.CreateByteLevel();
    readonly CausalLM model = TinyModels.Build(TinyModels.Qwen2(vocab: 320), seed: 11);

    public void Dispose() => model.Dispose();

    static RowSettings Hot(int? top) =>
        new()
        {
            Temperature = 0.7,
            TopK = 5,
            MaxNewTokens = 12,
            TopLogprobs = top,
        };

    void Run(params DecodeRow[] rows)
    {
        using var _ = inference_mode();
        using var engine = new DecodeEngine(model, tokenizer, [], slots: rows.Length, capacity: 8);
        foreach (var row in rows)
            engine.Add(row);
        while (engine.Count > 0)
            engine.Step();
    }

    /// <summary>(T, V) log-softmax of the model's logits (temperature 1, nothing cut) over prompt + tokens.</summary>
    Tensor FullForward(int[] prompt, IEnumerable<int> tokens)
    {
        var all = prompt.Concat(tokens).Select(i => (long)i).ToArray();
        return model.Forward(tensor(all).unsqueeze(0))[0].log_softmax(-1);
    }

    [Fact]
    public void Given_a_row_asking_for_top_5_Then_each_token_and_candidate_has_the_full_forward_log_softmax()
    {
        // Given a sampled row (temperature 0.7, top-k 5) asking for 5 candidates, next to one that asks nothing
        int[] prompt = [5, 6, 7, 8];
        var asking = new DecodeRow(prompt, Hot(5), new Random(1), reasoningOpen: false);
        var silent = new DecodeRow([40, 41], Hot(null), new Random(2), reasoningOpen: false);

        Run(asking, silent);

        // Then the token's log-prob is the raw log-softmax at its position (not the temperature-scaled one that
        // RL's Logprobs keep), and the candidates are the forward's 5 best, best first
        Assert.Empty(silent.ModelLogprobs);
        Assert.Equal(asking.Tokens.Count, asking.ModelLogprobs.Count);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var lp = FullForward(prompt, asking.Tokens); // (T, V)
        for (int k = 0; k < asking.Tokens.Count; k++)
        {
            var at = lp[prompt.Length - 1 + k]; // (V)
            var entry = asking.ModelLogprobs[k];
            Assert.Equal(asking.Tokens[k], entry.Token.Id);
            Assert.Equal(at[asking.Tokens[k]].item<float>(), entry.Token.Logprob, 1e-4f);
            Assert.True(Math.Abs(entry.Token.Logprob - asking.Logprobs[k]) > 1e-3f); // temperature 0.7 moves it
            var (values, ids) = at[..tokenizer.VocabSize].topk(5); // padding rows are no tokens
            Assert.Equal(ids.data<long>().Select(i => (int)i), entry.Top.Select(c => c.Id));
            for (int j = 0; j < 5; j++)
                Assert.Equal(values[j].item<float>(), entry.Top[j].Logprob, 1e-4f);
            Assert.True(entry.Top.Zip(entry.Top.Skip(1)).All(p => p.First.Logprob >= p.Second.Logprob));
            // top-k 5 samples among the 5 best: the chosen token is always a candidate
            Assert.Contains(entry.Top, c => c.Id == entry.Token.Id && c.Logprob == entry.Token.Logprob);
        }
    }

    [Fact]
    public void Given_a_row_asking_Then_its_tokens_and_sampling_log_probs_equal_a_row_that_does_not()
    {
        var asking = new DecodeRow([9, 10, 11], Hot(20), new Random(3), reasoningOpen: false);
        var silent = new DecodeRow([9, 10, 11], Hot(null), new Random(3), reasoningOpen: false);

        Run(asking);
        Run(silent);

        Assert.Equal(silent.Tokens, asking.Tokens);
        Assert.Equal(silent.Logprobs, asking.Logprobs);
        Assert.All(asking.ModelLogprobs, e => Assert.Equal(20, e.Top.Count));
    }

    [Fact]
    public void Given_top_logprobs_0_Then_only_the_token_is_recorded()
    {
        var row = new DecodeRow([12, 13], Hot(0), new Random(4), reasoningOpen: false);

        Run(row);

        Assert.Equal(row.Tokens, row.ModelLogprobs.Select(e => e.Token.Id));
        Assert.All(row.ModelLogprobs, e => Assert.Empty(e.Top));
    }

    [Fact]
    public void Given_a_padded_vocabulary_Then_padding_ids_are_never_candidates()
    {
        // The byte-level tokenizer has fewer ids than the model's 320 rows: the rest are padding
        Assert.True(tokenizer.VocabSize < model.Config.VocabSize);
        var row = new DecodeRow([14, 15], Hot(20), new Random(5), reasoningOpen: false);

        Run(row);

        Assert.All(row.ModelLogprobs, e => Assert.All(e.Top, c => Assert.True(c.Id < tokenizer.VocabSize)));
    }
}
