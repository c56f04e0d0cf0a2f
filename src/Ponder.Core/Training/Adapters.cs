using Ponder.LanguageModels;
using Ponder.Model;

namespace Ponder.Training;

/// <summary>How a trainer settles what it trains: LoRA adapters when asked for or already attached (a resumed or
/// adapter-loaded model), else every weight.</summary>
public static class Adapters
{
    /// <summary>Attaches fresh adapters of <paramref name="lora"/> when the model has none; keeps the model's own
    /// when they have the asked shape (a resume), and refuses a different shape.</summary>
    public static void Prepare(LanguageModel lm, LoraOptions? lora, long seed)
    {
        ArgumentNullException.ThrowIfNull(lm);
        var attached = lm.Network.Adapter;
        if (lora is null)
            return; // an attached adapter keeps training; none: full fine-tuning
        if (attached is null)
        {
            lm.AttachAdapter(lora, seed);
            return;
        }

        if (!attached.Options.SameShape(lora))
        {
            var a = attached.Options;
            throw new PonderException(
                $"the model already has LoRA adapters of rank {a.Rank}, alpha {a.Alpha}, targets "
                    + $"{string.Join(",", a.Targets)}; the options ask for rank {lora.Rank}, alpha {lora.Alpha}, "
                    + $"targets {string.Join(",", lora.Targets)}. Use the adapter's settings, or drop the --lora "
                    + "options to keep training it."
            );
        }
    }
}
