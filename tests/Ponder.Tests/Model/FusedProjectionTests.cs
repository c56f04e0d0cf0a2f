using Ponder.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Tests.Model;

/// <summary>q/k/v and gate/up run as one matmul each in inference, over weights that stay the checkpoint's
/// parameters.</summary>
public sealed class FusedProjectionTests
{
    public static TheoryData<string> Variants => new() { "llama", "qwen2", "qwen3" };

    static CausalLM Build(string variant) =>
        TinyModels.Build(
            variant switch
            {
                "llama" => TinyModels.Llama(kvHeads: 2),
                "qwen2" => TinyModels.Qwen2(), // q/k/v biases fused too
                "qwen3" => TinyModels.Qwen3(), // per-head q/k norms between projection and rotary
                _ => throw new ArgumentException(variant),
            }
        );

    static Tensor Ids() => randint(0, 97, [2, 10], generator: new Generator(7));

    static Parameter Weight(CausalLM model, string name) =>
        model.named_parameters().Single(p => p.name == name).parameter;

    /// <summary>Logits in inference mode run the fused projections; otherwise the checkpoint's separate ones.
    /// </summary>
    static (Tensor Fused, Tensor Separate) BothPaths(CausalLM model, Tensor ids)
    {
        Tensor fused;
        using (inference_mode())
            fused = model.Forward(ids).clone();
        var separate = model.Forward(ids).detach();
        return (fused, separate);
    }

    [Fact]
    public void Given_a_forward_without_gradients_outside_inference_mode_Then_the_fused_path_is_not_taken()
    {
        // RL's old and reference log-probabilities run under no_grad: they take the parts' own projections, as the
        // gradient forward does, so the first update's ratio is exactly 1 whatever the GEMM's blocking of the wider
        // fused weight. Generation runs in inference mode.
        using var a = nn.Linear(8, 4);
        using var b = nn.Linear(8, 6);
        using var fused = FusedProjection.Over(a, b);

        Assert.False(fused.Usable); // gradients on
        using (no_grad())
            Assert.False(fused.Usable);
        using (inference_mode())
            Assert.True(fused.Usable);
    }

    [Theory, MemberData(nameof(Variants))]
    public void Given_a_model_When_it_runs_in_inference_mode_Then_the_fused_projections_give_the_separate_logits(
        string variant
    )
    {
        using var scope = NewDisposeScope();
        using var model = Build(variant);

        var (fused, separate) = BothPaths(model, Ids());

        Assert.True(fused.allclose(separate, rtol: 0, atol: 1e-5), $"max |Δ| {(fused - separate).abs().max()}");
    }

    [Fact]
    public void Given_a_model_When_built_Then_q_k_v_and_gate_up_are_views_of_one_tensor_each()
    {
        using var scope = NewDisposeScope();
        using var model = Build("qwen2");

        Assert.True(Consecutive("layers.0.self_attn", ["q_proj", "k_proj", "v_proj"], ".weight"));
        Assert.True(Consecutive("layers.0.self_attn", ["q_proj", "k_proj", "v_proj"], ".bias"));
        Assert.True(Consecutive("layers.1.mlp", ["gate_proj", "up_proj"], ".weight"));
        Assert.False(Consecutive("layers.1.mlp", ["up_proj", "down_proj"], ".weight"));

        // One storage, each part starting where the previous one ends.
        bool Consecutive(string module, string[] parts, string suffix)
        {
            var p = parts.Select(n => Weight(model, $"model.{module}.{n}{suffix}")).ToArray();
            return p.All(t => Pointer(t) == Pointer(p[0]))
                && p.Skip(1).Select((t, i) => t.storage_offset() == p[i].storage_offset() + p[i].numel()).All(b => b);
        }

        static IntPtr Pointer(Tensor t) => t.storage<float>().data_ptr();
    }

    [Fact]
    public void Given_a_model_When_its_parameters_are_listed_Then_the_names_are_the_checkpoint_keys_only()
    {
        using var model = Build("qwen3");

        var names = model.state_dict().Keys.Where(k => k.StartsWith("model.layers.0.", StringComparison.Ordinal));

        string[] expected =
        [
            "model.layers.0.self_attn.q_proj.weight",
            "model.layers.0.self_attn.k_proj.weight",
            "model.layers.0.self_attn.v_proj.weight",
            "model.layers.0.self_attn.o_proj.weight",
            "model.layers.0.self_attn.q_norm.weight",
            "model.layers.0.self_attn.k_norm.weight",
            "model.layers.0.mlp.gate_proj.weight",
            "model.layers.0.mlp.up_proj.weight",
            "model.layers.0.mlp.down_proj.weight",
            "model.layers.0.input_layernorm.weight",
            "model.layers.0.post_attention_layernorm.weight",
        ];
        Assert.Equal(expected.Order(), names.Order());
        // 4 heads of head_dim 32: the q rows alone, not the fused q/k/v block.
        Assert.Equal([4 * 32, 64], Weight(model, "model.layers.0.self_attn.q_proj.weight").shape);
    }

    [Fact]
    public void Given_a_weight_loaded_in_place_When_inference_runs_Then_the_fused_projection_sees_it()
    {
        using var scope = NewDisposeScope();
        using var model = Build("llama");
        var ids = Ids();
        Tensor before;
        using (no_grad())
        {
            before = model.Forward(ids);
            // What checkpoint loading does: copy into the parameter.
            Weight(model, "model.layers.1.mlp.up_proj.weight").copy_(randn(128, 64, generator: new Generator(3)));
            Weight(model, "model.layers.0.self_attn.v_proj.weight").neg_();
        }

        var (fused, separate) = BothPaths(model, ids);

        Assert.False(fused.allclose(before, rtol: 0, atol: 1e-3));
        Assert.True(fused.allclose(separate, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Given_an_optimizer_step_When_inference_runs_Then_it_uses_the_updated_weights()
    {
        using var scope = NewDisposeScope();
        using var model = Build("qwen2");
        using var optimizer = optim.AdamW(model.parameters(), lr: 0.05);
        var ids = Ids();

        var loss = model.Forward(ids).logsumexp(-1).mean();
        loss.backward();
        optimizer.step();

        var (fused, separate) = BothPaths(model, ids);
        Assert.True(fused.allclose(separate, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Given_a_model_moved_to_another_dtype_When_inference_runs_Then_it_uses_the_moved_parameters()
    {
        using var scope = NewDisposeScope();
        using var model = Build("llama");
        var ids = Ids();

        model.to(ScalarType.Float64); // replaces every parameter: the fused tensors no longer hold them

        var (fused, separate) = BothPaths(model, ids);
        Assert.Equal(ScalarType.Float64, fused.dtype);
        Assert.True(fused.allclose(separate, rtol: 0, atol: 1e-12));
    }
}
