namespace Ponder.Training;

/// <summary>Learning-rate schedules by optimizer step: SFT and the scorer decay (warm-up, cosine), RL holds its peak
/// after the warm-up (RL recipes rarely decay).</summary>
public static class LearningRateSchedule
{
    /// <summary>Linear warm-up to the peak, then cosine decay to <c>peak × minRatio</c> at the last step.</summary>
    /// <param name="step">0-based optimizer step.</param>
    public static double WarmupCosine(int step, int totalSteps, int warmupSteps, double peak, double minRatio)
    {
        if (warmupSteps > 0 && step < warmupSteps)
            return peak * (step + 1) / warmupSteps;
        int decaySteps = Math.Max(1, totalSteps - warmupSteps - 1);
        double progress = Math.Clamp((step - warmupSteps) / (double)decaySteps, 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return peak * (minRatio + (1 - minRatio) * cosine);
    }

    /// <summary>Linear warm-up to the peak over <paramref name="warmupSteps"/> steps, then the peak.</summary>
    /// <param name="step">0-based optimizer step.</param>
    public static double WarmupConstant(int step, int warmupSteps, double peak) =>
        peak * Math.Min(1.0, (step + 1) / (double)Math.Max(1, warmupSteps));
}
