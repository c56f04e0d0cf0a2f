using Ponder.Model;

namespace Ponder.Reinforcement;

/// <summary>Refuses, before any work, an RL configuration whose largest tensors cannot fit in this machine's
/// memory.</summary>
public static class MemoryCheck
{
    public static void EnsureFits(ModelConfig config, RlOptions o)
    {
        // The update's peak: a micro-batch's logits (float32) about four times over (logits, log-softmax, their
        // gradients) plus activations (~24 values per layer per hidden unit per token kept for the backward pass).
        double tokens = (double)o.MicroBatchSize * (o.MaxCompletionTokens + 512);
        double bytes = tokens * config.VocabSize * 4 * 4 + tokens * config.HiddenSize * config.NumHiddenLayers * 24 * 4;
        // Sampling: the KV cache of up to 64 rows (the generator's batch limit).
        double cache =
            64.0
            * (o.MaxCompletionTokens + 512)
            * config.NumHiddenLayers
            * 2
            * config.KeyValueHeads
            * config.HeadDim
            * 4;
        double need = bytes + cache;
        double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need > 0.8 * available)
        {
            throw new PonderException(
                $"--micro-batch {o.MicroBatchSize} with --max-tokens {o.MaxCompletionTokens} needs about "
                    + $"{need / (1L << 30):F1} GiB for one update; this machine has {available / (1L << 30):F1} "
                    + "GiB. Lower --micro-batch or --max-tokens."
            );
        }
    }
}
