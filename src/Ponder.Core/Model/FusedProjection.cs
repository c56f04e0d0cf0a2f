using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>
/// One matmul for several <see cref="Linear"/> layers that read the same input (q/k/v; gate/up). Their weights and
/// biases become views of one tensor, so checkpoint names, loading (which copies into the parameters) and optimizer
/// steps (in place) are unchanged, while inference multiplies once by the whole: fewer, larger GEMMs, fewer ops per
/// decode step. Training, with or without gradients, keeps the parts' own forwards, so its numerics are those of the
/// checkpoint's layers.
/// </summary>
sealed class FusedProjection : IDisposable
{
    readonly Linear[] parts;
    readonly Parameter[] weights;
    readonly Parameter?[] biases;
    readonly Tensor weight; // (ΣN, C)
    readonly Tensor? bias; // (ΣN)

    FusedProjection(Linear[] parts, Parameter[] weights, Parameter?[] biases, Tensor weight, Tensor? bias)
    {
        (this.parts, this.weights, this.biases, this.weight, this.bias) = (parts, weights, biases, weight, bias);
    }

    /// <summary>Moves the weights (and biases, if every part has one) of <paramref name="parts"/> into one tensor in
    /// their order; each part's parameter becomes a view of its rows. Call after the module's dtype and device are
    /// final: a later <c>.to()</c> replaces the parameters and the fusion then steps aside (<see cref="Intact"/>).
    /// </summary>
    public static FusedProjection Over(params Linear[] parts)
    {
        bool biased = parts.All(p => p.bias is not null);
        Tensor weight;
        Tensor? bias = null;
        using (no_grad())
        {
            weight = cat(parts.Select(p => (Tensor)p.weight).ToArray()).DetachFromDisposeScope();
            if (biased)
                bias = cat(parts.Select(p => (Tensor)p.bias!).ToArray()).DetachFromDisposeScope();
        }

        var weights = new Parameter[parts.Length];
        var biases = new Parameter?[parts.Length];
        long row = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            long n = parts[i].weight.shape[0];
            bool grad = parts[i].weight.requires_grad;
            weights[i] = parts[i].weight = new Parameter(weight.narrow(0, row, n), grad);
            if (bias is not null)
                biases[i] = parts[i].bias = new Parameter(bias.narrow(0, row, n), grad);
            row += n;
        }
        return new FusedProjection(parts, weights, biases, weight, bias);
    }

    /// <summary>Whether every part still holds the view it was given, so the fused tensor is what they hold.</summary>
    public bool Intact
    {
        get
        {
            for (int i = 0; i < parts.Length; i++)
            {
                if (!ReferenceEquals(parts[i].weight, weights[i]) || !ReferenceEquals(parts[i].bias, biases[i]))
                    return false;
            }
            return true;
        }
    }

    /// <summary>Whether a forward should take the fused path: intact, and in inference mode (generation). Training's
    /// gradient-free forwards (old and reference log-probabilities) keep the parts' numerics, so a policy's ratio to
    /// itself stays exactly 1.</summary>
    public bool Usable => Intact && is_inference_mode_enabled();

    /// <summary>x (…, C) → the parts' outputs side by side (…, ΣN).</summary>
    public Tensor Forward(Tensor x) => nn.functional.linear(x, weight, bias);

    public void Dispose()
    {
        weight.Dispose();
        bias?.Dispose();
    }
}
