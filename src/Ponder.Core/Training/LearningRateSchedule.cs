namespace Ponder.Training;

/// <summary>Linear warm-up to the peak, then cosine decay to <c>peak × minRatio</c> at the last step.</summary>
public static class LearningRateSchedule
{
    /// <param name="step">0-based optimizer step.</param>
    public static double WarmupCosine(int step, int totalSteps, int warmupSteps, double peak, double minRatio)
    {
        if (warmupSteps > 0 && step < warmupSteps) return peak * (step + 1) / warmupSteps;
        int decaySteps = Math.Max(1, totalSteps - warmupSteps - 1);
        double progress = Math.Clamp((step - warmupSteps) / (double)decaySteps, 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return peak * (minRatio + (1 - minRatio) * cosine);
    }
}
