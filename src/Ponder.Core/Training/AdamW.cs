using Ponder.Checkpoints;
using Ponder.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Training;

/// <summary>
/// AdamW (Loshchilov and Hutter) with decoupled weight decay, as torch.optim.AdamW computes it, written out so its
/// whole state (moments, step count, float32 master weights) can be saved to safetensors and restored exactly.
/// When the model's weights are bfloat16, the update runs on float32 master copies and the result is cast back
/// (mixed precision without autocast, which TorchSharp lacks). Norm weights and biases get no weight decay.
/// </summary>
public sealed class AdamW : IDisposable
{
    sealed record Slot(string Name, Parameter Param, Tensor Master, Tensor M, Tensor V, bool Decay);

    readonly List<Slot> slots = [];
    readonly double beta1,
        beta2,
        eps,
        weightDecay;

    public AdamW(
        IEnumerable<(string Name, Parameter Param)> parameters,
        double beta1 = 0.9,
        double beta2 = 0.95,
        double eps = 1e-8,
        double weightDecay = 0.1
    )
    {
        (this.beta1, this.beta2, this.eps, this.weightDecay) = (beta1, beta2, eps, weightDecay);
        using var _ = no_grad();
        foreach (var (name, p) in parameters)
        {
            var master = p.dtype == ScalarType.Float32 ? p : p.detach().to(ScalarType.Float32).DetachFromDisposeScope();
            bool decay = p.dim() >= 2 && !name.Contains("norm", StringComparison.Ordinal);
            slots.Add(
                new Slot(
                    name,
                    p,
                    master,
                    zeros_like(master).DetachFromDisposeScope(),
                    zeros_like(master).DetachFromDisposeScope(),
                    decay
                )
            );
        }
    }

    /// <summary>Optimizer steps taken (the bias corrections use it).</summary>
    public long Step { get; private set; }

    public IEnumerable<Parameter> Parameters => slots.Select(s => s.Param);

    /// <summary>One update with learning rate <paramref name="lr"/>; parameters without a gradient are
    /// skipped.</summary>
    public void Update(double lr)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        Step++;
        double c1 = 1 - Math.Pow(beta1, Step),
            c2 = 1 - Math.Pow(beta2, Step);
        using var k = new Scalars();
        Scalar decay = k[1 - lr * weightDecay],
            b1 = k[beta1],
            b2 = k[beta2],
            oneMinusB1 = k[1 - beta1],
            oneMinusB2 = k[1 - beta2],
            correction2 = k[c2],
            epsilon = k[eps],
            step = k[-lr / c1];
        foreach (var s in slots)
        {
            var grad = s.Param.grad;
            if (grad is null)
                continue;
            var g = grad.dtype == ScalarType.Float32 ? grad : grad.to(ScalarType.Float32);
            if (s.Decay && weightDecay > 0)
                s.Master.mul_(decay); // decoupled decay
            s.M.mul_(b1).add_(g, alpha: oneMinusB1); // m = β₁m + (1−β₁)g
            s.V.mul_(b2).addcmul_(g, g, value: oneMinusB2); // v = β₂v + (1−β₂)g²
            var denom = (s.V / correction2).sqrt_().PlusInPlace(epsilon); // √v̂ + ε
            s.Master.addcdiv_(s.M, denom, value: step); // θ −= lr·m̂/(√v̂+ε)
            if (!ReferenceEquals(s.Master, s.Param))
                s.Param.copy_(s.Master);
        }
    }

    public void ZeroGrad()
    {
        using var scope = NewDisposeScope(); // each .grad access makes a tensor handle
        foreach (var s in slots)
            s.Param.grad?.zero_();
    }

    /// <summary>Writes moments, master weights and the step count to one safetensors file (atomically).</summary>
    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var s in slots)
        {
            tensors["m." + s.Name] = s.M;
            tensors["v." + s.Name] = s.V;
            if (!ReferenceEquals(s.Master, s.Param))
                tensors["master." + s.Name] = s.Master;
        }
        SafeTensors.Write(
            path,
            tensors,
            new Dictionary<string, string>
            {
                ["step"] = Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }
        );
    }

    /// <summary>Restores what <see cref="Save"/> wrote; the parameter names must match.</summary>
    public void Load(string path)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var tensors = SafeTensors.Read(path);
        var meta = SafeTensors.ReadMetadata(path);
        foreach (var s in slots)
        {
            s.M.copy_(Require(tensors, "m." + s.Name, path));
            s.V.copy_(Require(tensors, "v." + s.Name, path));
            if (!ReferenceEquals(s.Master, s.Param))
                s.Master.copy_(Require(tensors, "master." + s.Name, path));
        }
        Step = meta.TryGetValue("step", out var step)
            ? long.Parse(step, System.Globalization.CultureInfo.InvariantCulture)
            : throw new PonderException($"{path}: metadata \"step\" is missing; the optimizer state is incomplete.");
    }

    static Tensor Require(Dictionary<string, Tensor> tensors, string name, string path) =>
        tensors.TryGetValue(name, out var t)
            ? t
            : throw new PonderException(
                $"{path}: tensor {name} is missing; the optimizer state belongs to another model."
            );

    public void Dispose()
    {
        foreach (var s in slots)
        {
            s.M.Dispose();
            s.V.Dispose();
            if (!ReferenceEquals(s.Master, s.Param))
                s.Master.Dispose();
        }
    }
}
