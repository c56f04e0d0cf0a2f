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
    static readonly Dictionary<string, string> Countdown = new() { ["numbers"] = "3", ["max-number"] = "50" };

    /// <summary>About 13 minutes on 2 cores (measured).</summary>
    public static DemoSettings Full() => new(
        "small", new Dictionary<string, string>(Countdown),
        new SftOptions { Steps = 300, BatchSize = 24, LearningRate = 2e-3, WarmupSteps = 20, EvalEvery = 100, CheckpointEvery = 100, MaxSequenceLength = 512 },
        RlOptions.For("grpo") with
        {
            Steps = 40, PromptsPerStep = 8, GroupSize = 8, MicroBatchSize = 32, LearningRate = 1e-4,
            WarmupSteps = 3, EvalEvery = 10, EvalProblems = 100, EvalSamples = 4, CheckpointEvery = 20,
        },
        EvalProblems: 100, EvalSamples: 8, MaxCompletionTokens: 256,
        Scale: new TestTime.ScalingOptions { Budgets = [8, 16, 32, 64, 128], SampleCounts = [1, 2, 4, 8, 16], Temperature = 1.0, TopP = 1.0, AnswerTokens = 32 },
        ScaleProblems: 50);

    /// <summary>About 1.5 minutes: the same pipeline, smaller everywhere.</summary>
    public static DemoSettings Quick() => new(
        "small", new Dictionary<string, string>(Countdown),
        new SftOptions { Steps = 50, BatchSize = 16, LearningRate = 2e-3, WarmupSteps = 5, EvalEvery = 0, CheckpointEvery = 50, MaxSequenceLength = 512 },
        RlOptions.For("grpo") with
        {
            Steps = 4, PromptsPerStep = 4, GroupSize = 4, MicroBatchSize = 16, LearningRate = 1e-4,
            WarmupSteps = 1, EvalEvery = 2, EvalProblems = 20, EvalSamples = 2, CheckpointEvery = 4,
        },
        EvalProblems: 30, EvalSamples: 4, MaxCompletionTokens: 160,
        Scale: new TestTime.ScalingOptions { Budgets = [16, 64], SampleCounts = [1, 4], Temperature = 1.0, TopP = 1.0, AnswerTokens = 32 },
        ScaleProblems: 10);
}
