using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Scoring;

/// <summary>
/// The two optimizers every scorer trains with: AdamW over the head (and the body when it learns, all of it or its
/// LoRA adapters), and AdamW over the two confidence weights at <see cref="ScorerTrainer.ConfidenceRateScale"/> times
/// the rate; warm-up and cosine decay; each clipped by its own norm (the confidence gradients would dominate one).
/// </summary>
sealed class ScorerOptimizer : IDisposable
{
    readonly AdamW main,
        confidence;
    readonly ScorerOptions options;

    public ScorerOptimizer(ScorerModel model, ScorerOptions options, bool trainsBody)
    {
        this.options = options;
        main = new AdamW(
            model.Parameters.Where(p =>
                p.Name != ScorerModel.ConfidenceWeight
                && (trainsBody || p.Name.StartsWith("scorer_head", StringComparison.Ordinal))
            ),
            weightDecay: options.WeightDecay
        );
        confidence = new AdamW(model.Parameters.Where(p => p.Name == ScorerModel.ConfidenceWeight), weightDecay: 0);
    }

    /// <summary>Clips the gradients of the backward just taken.</summary>
    public void Clip()
    {
        nn.utils.clip_grad_norm_(main.Parameters, options.MaxGradNorm);
        nn.utils.clip_grad_norm_(confidence.Parameters, options.MaxGradNorm);
    }

    /// <summary>Updates at step <paramref name="step"/>'s learning rate and clears the gradients.</summary>
    public void Step(int step)
    {
        double lr = LearningRateSchedule.WarmupCosine(
            step,
            options.Steps,
            options.WarmupSteps,
            options.LearningRate,
            0.1
        );
        main.Update(lr);
        confidence.Update(lr * ScorerTrainer.ConfidenceRateScale);
        main.ZeroGrad();
        confidence.ZeroGrad();
    }

    public void Dispose()
    {
        main.Dispose();
        confidence.Dispose();
    }
}
