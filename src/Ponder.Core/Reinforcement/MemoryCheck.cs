using Ponder.Model;

namespace Ponder.Reinforcement;

/// <summary>What an RL run holds at its peak, in bytes, by part.</summary>
/// <param name="Weights">The policy's weights.</param>
/// <param name="Reference">A frozen copy for the KL penalty (β &gt; 0 without LoRA; with LoRA the base is the
/// reference).</param>
/// <param name="Optimizer">Gradients, AdamW's two float32 moments, and float32 master copies of half-precision
/// weights — of the trained parameters only (the adapters, with LoRA).</param>
/// <param name="Activations">One logits chunk's float32 logits (about four times over: logits, log-softmax, their
/// gradients) and the micro-batch's activations kept for the backward pass.</param>
/// <param name="Cache">Sampling's KV cache of up to 64 rows.</param>
public sealed record MemoryEstimate(
    double Weights,
    double Reference,
    double Optimizer,
    double Activations,
    double Cache
)
{
    public double Total => Weights + Reference + Optimizer + Activations + Cache;

    public override string ToString() =>
        $"{Gib(Total)} GiB (weights {Gib(Weights)}, reference {Gib(Reference)}, gradients and optimizer "
        + $"{Gib(Optimizer)}, update activations {Gib(Activations)}, KV cache {Gib(Cache)})";

    static string Gib(double bytes) =>
        (bytes / (1L << 30)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Refuses, before any work, an RL configuration whose largest tensors cannot fit in this machine's
/// memory.</summary>
public static class MemoryCheck
{
    /// <param name="weightBytes">Bytes per weight: 4 (float32) or 2 (bfloat16).</param>
    public static MemoryEstimate Estimate(ModelConfig config, RlOptions o, int weightBytes = 4)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(o);
        double parameters = config.ParameterCount;
        double trained = o.Lora is null ? parameters : LoraParameters(config, o.Lora);
        double perTrained = weightBytes + 8 + (weightBytes == 4 ? 0 : 4);
        double tokens = (double)o.MicroBatchSize * (o.MaxCompletionTokens + 512);
        double logitTokens = Math.Min(tokens, o.LogitsChunk(config.VocabSize));
        // Checkpointing keeps each layer's input and one layer's intermediates while it is recomputed.
        double perToken = o.GradientCheckpointing ? config.NumHiddenLayers + 24 : config.NumHiddenLayers * 24.0;
        double activations = logitTokens * config.VocabSize * 4 * 4 + tokens * config.HiddenSize * perToken * 4;
        double cache =
            64.0
            * (o.MaxCompletionTokens + 512)
            * config.NumHiddenLayers
            * 2
            * config.KeyValueHeads
            * config.HeadDim
            * weightBytes;
        return new MemoryEstimate(
            parameters * weightBytes,
            o.Policy.Beta > 0 && o.Lora is null ? parameters * weightBytes : 0,
            trained * perTrained,
            activations,
            cache
        );
    }

    /// <summary>The adapter parameters LoRA adds: r × (in + out) per targeted projection per layer.</summary>
    public static long LoraParameters(ModelConfig config, LoraOptions lora)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(lora);
        long c = config.HiddenSize,
            q = (long)config.NumAttentionHeads * config.HeadDim,
            kv = (long)config.KeyValueHeads * config.HeadDim,
            f = config.IntermediateSize;
        long perLayer = lora.Targets.Sum(t =>
            t switch
            {
                "q_proj" => c + q,
                "k_proj" or "v_proj" => c + kv,
                "o_proj" => q + c,
                _ => c + f, // gate_proj, up_proj, down_proj
            }
        );
        return perLayer * lora.Rank * config.NumHiddenLayers;
    }

    public static void EnsureFits(ModelConfig config, RlOptions o, int weightBytes = 4)
    {
        var need = Estimate(config, o, weightBytes);
        double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need.Total > 0.8 * available)
        {
            string lora = o.Lora is null ? ", or train LoRA adapters (--lora-rank)" : "";
            throw new PonderException(
                $"--micro-batch {o.MicroBatchSize} with --max-tokens {o.MaxCompletionTokens} needs about {need}; "
                    + $"this machine has {available / (1L << 30):F1} GiB. Lower --micro-batch or --max-tokens{lora}."
            );
        }
    }
}
