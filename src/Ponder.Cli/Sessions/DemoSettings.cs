using Ponder.Reinforcement;
using Ponder.Training;

namespace Ponder.Cli.Sessions;

/// <summary>The demo's embedded defaults: Countdown from scratch, SFT on search traces, then RL. Presets are methods
/// returning fresh records.</summary>
internal sealed record DemoSettings(
    string Preset,
    IReadOnlyDictionary<string, string> TaskSettings,
    SftOptions Sft,
    int SftProblems,
    RlOptions Rl,
    int EvalProblems,
    int EvalSamples,
    int MaxCompletionTokens,
    TestTime.ScalingOptions Scale,
    int ScaleProblems)
{
    // Three numbers 1–10 and short search traces (at most 6 lines): what a 4.8M model learns in ~6 minutes of SFT on
    // 2 cores (measured: greedy pass@1 17 %, pass@8 27 % at temperature 1). With numbers up to 50 and 24-line traces
    // the same budget reaches 0 % and RL has nothing to reinforce.
    static readonly Dictionary<string, string> Countdown = new() { ["numbers"] = "3", ["max-number"] = "10", ["max-trace-lines"] = "6" };

    // The first 1,250 of the ~2,200 distinct training problems for SFT (1,200 for RL) — the ones the generator draws
    // most often, whose searches are shorter. All 2,200 at the same 300 steps (4.4 epochs instead of 7.7) gave a far
    // weaker SFT model: greedy pass@1 2.8 % vs 12.0 % (250 problems), pass@1 (T = 1) 2.5 % vs 7.8 % (100), measured
    // (docs/BENCHMARKS.md, fourth round).
    const int SftPool = 1_250, RlPool = 1_200;

    /// <summary>About 14 minutes on 2 cores (measured: 14.1 with 250 held-out problems).</summary>
    public static DemoSettings Full() => new(
        "small", new Dictionary<string, string>(Countdown),
        new SftOptions { Steps = 300, BatchSize = 32, LearningRate = 3e-3, WarmupSteps = 30, EvalEvery = 100, CheckpointEvery = 100, MaxSequenceLength = 512 },
        SftPool,
        // Dr. GRPO: GRPO's per-sequence length normalisation rewards short correct answers and shrank reasoning
        // 3x in 10 steps here. No format reward: after SFT > 99 % of completions are well-formed already.
        // 300 steps: with all-wrong groups skipped in the update a step takes ~1.2 s (4.8 s when every completion was
        // trained on). Measured lifts of pass@1: 150 steps +9.5 points (3.5 min), 300 steps +13.3 (6.8 min), 450 steps
        // +12.3 (9.4 min) — the policy's one-operation shortcut plateaus at ~17 %.
        RlOptions.For("drgrpo") with
        {
            Steps = 300, PromptsPerStep = 16, GroupSize = 8, MicroBatchSize = 64, LearningRate = 1e-4, FormatReward = 0, TrainProblems = RlPool,
            WarmupSteps = 3, EvalEvery = 50, EvalProblems = 100, EvalSamples = 8, CheckpointEvery = 100,
        },
        EvalProblems: 250, EvalSamples: 8, MaxCompletionTokens: 160,
        Scale: new TestTime.ScalingOptions { Budgets = [8, 16, 32, 64, 128], SampleCounts = [1, 2, 4, 8, 16], Temperature = 1.0, TopP = 1.0, AnswerTokens = 32 },
        ScaleProblems: 50);

    /// <summary>About 1 minute (measured: 0.9): the same pipeline, smaller everywhere.</summary>
    public static DemoSettings Quick() => new(
        "small", new Dictionary<string, string>(Countdown),
        new SftOptions { Steps = 50, BatchSize = 16, LearningRate = 3e-3, WarmupSteps = 5, EvalEvery = 0, CheckpointEvery = 50, MaxSequenceLength = 512 },
        SftPool,
        RlOptions.For("drgrpo") with
        {
            Steps = 4, PromptsPerStep = 4, GroupSize = 4, MicroBatchSize = 16, LearningRate = 1e-4, FormatReward = 0,
            WarmupSteps = 1, EvalEvery = 2, EvalProblems = 20, EvalSamples = 2, CheckpointEvery = 4,
        },
        EvalProblems: 30, EvalSamples: 4, MaxCompletionTokens: 160,
        Scale: new TestTime.ScalingOptions { Budgets = [16, 64], SampleCounts = [1, 4], Temperature = 1.0, TopP = 1.0, AnswerTokens = 32 },
        ScaleProblems: 10);
}
