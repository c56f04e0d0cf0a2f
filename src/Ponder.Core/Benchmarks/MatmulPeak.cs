using System.Diagnostics;
using static TorchSharp.torch;

namespace Ponder.Benchmarks;

/// <summary>This machine's practical FLOP ceiling: repeated square matmuls of one size, timed after a
/// warm-up.</summary>
/// <param name="Size">The matrix side n (n×n times n×n).</param>
/// <param name="DType">The element type, e.g. "Float32".</param>
/// <param name="Iterations">Timed matmuls.</param>
/// <param name="Seconds">Wall time of the timed matmuls.</param>
public sealed record MatmulPeakResult(int Size, string DType, int Iterations, double Seconds)
{
    /// <summary>2·n³ FLOPs per matmul (n³ multiply-adds).</summary>
    public double FlopsPerMatmul => 2.0 * Size * Size * Size;

    public double GflopsPerSecond => Iterations * FlopsPerMatmul / Seconds / 1e9;
}

/// <summary>Measures <see cref="MatmulPeakResult"/>: the denominator of every "fraction of peak" Ponder
/// reports.</summary>
public static class MatmulPeak
{
    /// <param name="device">Where to multiply.</param>
    /// <param name="dtype">Float32 or BFloat16 (the compute type whose peak is wanted).</param>
    /// <param name="size">Matrix side. <value>The default value is 1024.</value></param>
    /// <param name="seconds">Minimum timed duration. <value>The default value is 2.</value></param>
    /// <param name="warmup">Untimed matmuls first (thread pool, caches, allocator). <value>The default value is
    /// 3.</value></param>
    public static MatmulPeakResult Measure(
        Device device,
        ScalarType dtype,
        int size = 1024,
        double seconds = 2.0,
        int warmup = 3
    )
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var g = new Generator(0, device);
        var a = randn([size, size], dtype: ScalarType.Float32, device: device, generator: g).to(dtype); // (n, n)
        var b = randn([size, size], dtype: ScalarType.Float32, device: device, generator: g).to(dtype); // (n, n)
        for (int i = 0; i < warmup; i++)
            Multiply(a, b);

        int iterations = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            Multiply(a, b);
            iterations++;
        } while (clock.Elapsed.TotalSeconds < seconds);
        return new MatmulPeakResult(size, dtype.ToString(), iterations, clock.Elapsed.TotalSeconds);
    }

    static void Multiply(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var c = a.mm(b); // (n, n)
        // Reading one element waits for the product on asynchronous devices; on CPU the matmul is already done.
        _ = c[0, 0].to(ScalarType.Float32).item<float>();
    }
}
