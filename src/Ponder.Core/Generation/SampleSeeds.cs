namespace Ponder.Generation;

/// <summary>
/// The random stream of sample j of a request: derived from (seed, j) only, so the same prompt with the same seed gives
/// the same completions whatever else is in the batch (vLLM's per-request seed semantics). The batched
/// <see cref="Sampler"/> and the serving engine both use it, so <c>ponder generate</c> and <c>ponder serve</c> agree.
/// </summary>
public static class SampleSeeds
{
    public static int For(long seed, int sampleIndex)
    {
        ulong x = (ulong)seed + 0x9E3779B97F4A7C15UL * (ulong)(sampleIndex + 1);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;     // splitmix64 finaliser
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }
}
