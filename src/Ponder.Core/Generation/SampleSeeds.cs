namespace Ponder.Generation;

/// <summary>
/// The random stream of sample j of a prompt: derived from (seed, the prompt's token ids, j) only, so the same prompt
/// with the same seed gives the same completions whatever else is in the batch (vLLM's per-request seed semantics),
/// while different prompts sharing one seed draw independent streams — an evaluation's problems must not share their
/// uniforms, or its mean over problems is far noisier than its sample count suggests. The batched
/// <see cref="BatchGenerator"/> and the serving engine both use it, so <c>ponder generate</c> and <c>ponder serve</c>
/// agree. </summary>
public static class SampleSeeds
{
    public static int For(long seed, IReadOnlyList<int> prompt, int sampleIndex)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ulong h = 0xCBF29CE484222325UL; // FNV-1a over the prompt's token ids
        foreach (int id in prompt)
        {
            h ^= (uint)id;
            h *= 0x100000001B3UL;
        }
        ulong x = Mix((ulong)seed ^ Mix(h)) + 0x9E3779B97F4A7C15UL * (ulong)(sampleIndex + 1);
        return (int)(Mix(x) & 0x7FFFFFFF);
    }

    static ulong Mix(ulong x) // splitmix64 finaliser
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
