using Ponder.Model;

namespace Ponder.Tests.Model;

public sealed class FlopsTests
{
    // TinyModels.Llama(): C = 64, F = 128, L = 2, H = 4 query heads, K = 2 kv heads, D = 16, V = 97, untied.
    //   q_proj 64·64 = 4096, k_proj + v_proj 2·64·(2·16) = 4096, o_proj 64·64 = 4096      → attention 12,288
    //   gate/up/down 3·64·128                                                             → MLP      24,576
    //   per layer 36,864; two layers 73,728; lm_head 97·64 = 6,208                         → N =      79,936
    const long N = 79_936;

    [Fact]
    public void Given_the_tiny_llama_When_counting_matmul_weights_Then_every_Linear_and_the_output_projection_count()
    {
        Assert.Equal(N, Flops.MatmulParameters(TinyModels.Llama()));
    }

    [Fact]
    public void Given_tied_embeddings_When_counting_Then_the_output_projection_still_counts_though_it_is_stored_once()
    {
        var tied = TinyModels.Llama(tied: true);

        Assert.Equal(N, Flops.MatmulParameters(tied));
        // ParameterCount stores the tied matrix once too, and adds the norm weights:
        // (2 per layer · 2 + final) · 64 = 320
        Assert.Equal(tied.ParameterCount - 320, Flops.MatmulParameters(tied));
    }

    [Fact]
    public void Given_qwen2_biases_When_counting_Then_biases_are_not_matmul_weights()
    {
        Assert.Equal(N, Flops.MatmulParameters(TinyModels.Qwen2(tied: false)));
    }

    [Fact]
    public void Given_a_context_of_10_When_computing_forward_FLOPs_Then_2N_plus_4_L_H_D_S()
    {
        // 2·79,936 = 159,872; attention 4·L·H·D·S = 4·2·4·16·10 = 5,120; total 164,992
        Assert.Equal(164_992.0, Flops.ForwardPerToken(TinyModels.Llama(), 10));
    }

    [Fact]
    public void Given_a_sequence_of_10_When_computing_training_FLOPs_Then_6N_plus_12_L_H_D_T()
    {
        // 6·79,936 = 479,616; 12·2·4·16·10 = 15,360; total 494,976 = 3·164,992
        Assert.Equal(494_976.0, Flops.TrainPerToken(TinyModels.Llama(), 10));
    }

    [Fact]
    public void Given_a_causal_prefill_When_summing_per_token_FLOPs_Then_the_mean_context_gives_the_exact_total()
    {
        // Token i of a P-token prefill attends to i keys; the formula is linear in S, so Σ F(i) = P·F((P+1)/2).
        var c = TinyModels.Llama();
        double sum = Enumerable.Range(1, 7).Sum(i => Flops.ForwardPerToken(c, i));

        Assert.Equal(sum, 7 * Flops.ForwardPerToken(c, 4.0), 6);
    }
}
