using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>
/// Activation (gradient) checkpointing: <see cref="Apply"/> runs a function of one tensor without keeping its
/// intermediates for the backward pass; the backward recomputes them from the saved input and back-propagates through
/// the recomputation (PyTorch's reentrant <c>torch.utils.checkpoint</c>). Gradients reach the function's parameters
/// (they accumulate in <c>.grad</c> as usual) and its input. The function must be deterministic: it runs twice.
/// </summary>
sealed class Recompute : autograd.SingleTensorFunction<Recompute>
{
    const string FunctionKey = "f";

    public override string Name => nameof(Recompute);

    /// <summary>f(x, context), with the graph between them rebuilt in the backward pass. The context tensors (rotary
    /// tables, a mask) are saved with x, so the caller may free its own handles; they get no gradient.
    /// <paramref name="x"/> must require grad, or autograd records nothing (make it so with
    /// <c>detach().requires_grad_()</c> when it is a frozen embedding's output).</summary>
    public static Tensor Apply(Func<Tensor, Tensor?[], Tensor> f, Tensor x, params Tensor?[] context) =>
        apply([x, .. context.Select(c => (object?)c), f]);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var context = vars[1..^1].Select(v => v as Tensor).ToArray();
        var f = (Func<Tensor, Tensor?[], Tensor>)vars[^1];
        ctx.save_for_backward([x, .. context.OfType<Tensor>()]);
        ctx.save_data(FunctionKey, (f, context.Select(c => c is not null).ToArray()));
        return f(x, context); // autograd is off here: no intermediates are kept
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var (f, present) = ((Func<Tensor, Tensor?[], Tensor>, bool[]))ctx.get_data(FunctionKey);
        var context = new Tensor?[present.Length];
        for (int i = 0, next = 1; i < present.Length; i++)
            context[i] = present[i] ? saved[next++] : null;
        Tensor grad;
        // The recomputation's intermediates die here, as a forward's die with each layer; only x's gradient leaves
        // (to the caller's scope: autograd reads it after this returns).
        using (NewDisposeScope())
        using (enable_grad())
        {
            var input = saved[0].detach().requires_grad_(true);
            f(input, context).backward([grad_output]);
            grad = input.grad!.MoveToOuterDisposeScope();
        }
        // One gradient per argument: x's, then none for the context tensors, the absent ones and the function.
        return [grad, .. Enumerable.Repeat<Tensor>(null!, present.Length + 1)];
    }
}
