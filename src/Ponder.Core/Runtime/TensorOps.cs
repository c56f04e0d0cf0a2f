using static TorchSharp.torch;

namespace Ponder.Runtime;

/// <summary>
/// Tensor arithmetic whose TorchSharp operator or default argument makes a temporary <see cref="TorchSharp.Scalar"/>
/// (see <see cref="Scalars"/> for why that fails at random): <c>a + b</c> is <c>a.add(b, alpha: 1)</c> with a fresh 1,
/// <c>arange(n)</c> makes its start and step, <c>softplus</c> its β and threshold.
/// </summary>
public static class TensorOps
{
    /// <summary>a + b (broadcasting), the alpha of the addition being the process-wide 1.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.One);

    /// <summary>a + c, for a scalar c.</summary>
    public static Tensor Plus(this Tensor a, TorchSharp.Scalar c) => a.add(c, Scalars.One);

    /// <summary>a += b in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, Scalars.One);

    /// <summary>a += c in place, for a scalar c.</summary>
    public static Tensor PlusInPlace(this Tensor a, TorchSharp.Scalar c) => a.add_(c, Scalars.One);

    /// <summary>0, 1, …, n − 1 as int64 on <paramref name="device"/>.</summary>
    public static Tensor Range(long n, Device? device) => Range(0, n, device);

    /// <summary>start, start + 1, …, stop − 1 as int64 on <paramref name="device"/>.</summary>
    public static Tensor Range(long start, long stop, Device? device)
    {
        using var s = new Scalars();
        return arange(s[start], s[stop], Scalars.One, ScalarType.Int64, device);
    }

    /// <summary>softplus(x) = log(1 + eˣ), computed stably as max(x, 0) + log(1 + e^−|x|).</summary>
    public static Tensor Softplus(Tensor x) => x.relu().Plus(x.abs().neg().exp().log1p());
}
