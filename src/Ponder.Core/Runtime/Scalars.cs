using TorchSharp;

namespace Ponder.Runtime;

/// <summary>
/// Native scalars for TorchSharp ops, alive until this is disposed. TorchSharp turns a .NET number into a native
/// <see cref="Scalar"/> (by an implicit conversion, or inside its overloads that take a number) that only a finalizer
/// frees, and hands its handle to libtorch without keeping the object alive: a garbage collection during the call can
/// free it while libtorch reads it, which fails rarely and at random (libtorch's "Expected false to be true" in
/// <c>Scalar::toFloat</c>). Every number Ponder passes to a TorchSharp op comes from here; a test checks it.
/// </summary>
/// <example><code>using var s = new Scalars(); m.mul_(s[beta1]).add_(g, alpha: s[1 - beta1]);</code></example>
public sealed class Scalars : IDisposable
{
    readonly List<Scalar> made = [];

    /// <summary>The integral 1 (e.g. the alpha of an addition), alive for the whole process: a static field never
    /// lets it be finalized, and native code only reads it.</summary>
    public static Scalar One { get; } = 1L.ToScalar();

    /// <summary>The integral 0, as <see cref="One"/>.</summary>
    public static Scalar Zero { get; } = 0L.ToScalar();

    /// <summary>A floating-point scalar (what an implicit conversion of a double makes).</summary>
    public Scalar this[double value] => Keep(value.ToScalar());

    /// <summary>An integral scalar (what an implicit conversion of an int or long makes).</summary>
    public Scalar this[long value] => Keep(value.ToScalar());

    Scalar Keep(Scalar scalar)
    {
        made.Add(scalar);
        return scalar;
    }

    public void Dispose()
    {
        foreach (var scalar in made)
            scalar.Dispose();
        made.Clear();
    }
}
