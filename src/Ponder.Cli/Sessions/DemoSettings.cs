using Ponder.Reinforcement;
using Ponder.Training;

namespace Ponder.Cli.Sessions;

/// <summary>The demo's embedded defaults: Countdown from scratch, SFT on search traces, then RL. Presets are methods
/// returning fresh records.</summary>
internal sealed record DemoSettings(
    string Preset,
    IReadOnlyDictionary<string, string> TaskSettings,
    SftOptions Sft,
    RlOptions Rl,
    int EvalProblems,
    int EvalSamples,
    int MaxCompletionTokens,
    TestTime.ScalingOptions Scale,
    int ScaleProblems)
{
    static readonly Dictionary<string, string> Countdown = new() { ["numbers"] = "4", ["max-number"] = "50" };

    /// <summary>About 20 minutes on 2 cores.</summary>
    public static DemoSettings Full() => new(
        "small", new Dictionary<string, string>(Countdown),
        new SftOptions { Steps = 450, BatchSize = 32, LearningRate = 2e-3, WarmupSteps = 30, EvalEvery = 150, CheckpointEvery = 150, MaxSequenceLength = 512 },
        RlOptions.For("grpo") with
        {
            Steps = 60, PromptsPerStep = 16, GroupSize = 8, MaxCompletionTokens = 320, MicroBatchSize = 32, LearningRate = 1e-4,
            WarmupSteps = 3, EvalEvery = 10, EvalProblems = 100, EvalSamples = 4, CheckpointEvery = 20,
        },
        EvalProblems: 200, EvalSamples: 8, MaxCompletionTokens: 320,
        Scale: new TestTime.ScalingOptions { Budgets = [16, 32, 64, 128, 256], SampleCounts = [1, 2, 4, 8, 16], Temperature = 1.0, TopP = 1.0 },
        ScaleProblems: 100);

    /// <summary>About 3 minutes: the same pipeline, smaller everywhere.</summary>
    public static DemoSettings Quick() => new(
        "small", new Dictionary<string, string>(Countdown),
        new SftOptions { Steps = 90, BatchSize = 32, LearningRate = 2e-3, WarmupSteps = 10, EvalEvery = 0, CheckpointEvery = 90, MaxSequenceLength = 512 },
        RlOptions.For("grpo") with
        {
            Steps = 8, PromptsPerStep = 8, GroupSize = 8, MaxCompletionTokens = 320, MicroBatchSize = 32, LearningRate = 1e-4,
            WarmupSteps = 2, EvalEvery = 4, EvalProblems = 40, EvalSamples = 2, CheckpointEvery = 8,
        },
        EvalProblems: 50, EvalSamples: 4, MaxCompletionTokens: 320,
        Scale: new TestTime.ScalingOptions { Budgets = [32, 128], SampleCounts = [1, 4], Temperature = 1.0, TopP = 1.0 },
        ScaleProblems: 20);
}
