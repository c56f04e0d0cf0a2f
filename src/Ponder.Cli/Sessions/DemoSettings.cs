using Ponder.Reinforcement;
using Ponder.Training;

namespace Ponder.Cli.Sessions;

/// <summary>The demo's embedded defaults: Countdown from scratch, SFT on search traces, then RL. Presets are methods
/// returning fresh records.</summary>
/// <param name="Smoke">A smoke run: too short for the model to learn, so its accuracies say nothing; the report and
/// the summary say so. <value>The default value is false.</value></param>
sealed record DemoSettings(
    string Preset,
    IReadOnlyDictionary<string, string> TaskSettings,
    SftOptions Sft,
    int SftProblems,
    RlOptions Rl,
    int EvalProblems,
    int EvalSamples,
    int MaxCompletionTokens,
    TestTime.ScalingOptions Scale,
    int ScaleProblems,
    DemoPrm Prm,
    bool Smoke = false,
    int RolloutReplicas = 0
)
{
    /// <summary>What a smoke run's report and summary say first.</summary>
    public const string SmokeNote =
        "This is a smoke run (demo --quick): far too little training for the model to learn, so its accuracies are "
        + "not meaningful; it checks that the pipeline runs end to end.";

    // Three numbers 1–10 and unguided search traces of at most 12 lines: every line a real move; a problem none of
    // whose 8 jittered searches reaches the target within 12 lines has no trace. Unguided rather than guided, whose
    // last lines walk to the target by an exhaustive solver's choice — not search a model can imitate. Twelve lines
    // hold searches that find the target in a later subtree too, so a model that thinks longer can find more.
    static readonly Dictionary<string, string> Countdown = new()
    {
        ["numbers"] = "3",
        ["max-number"] = "10",
        ["max-trace-lines"] = "12",
        ["guided"] = "false",
    };

    // The first 1,250 of the ~2,200 distinct training problems for SFT (1,200 for RL): the ones the generator draws
    // most often, whose searches are shorter.
    const int SftPool = 1_250,
        RlPool = 1_200;

    // The mini preset (0.8M parameters), not small (4.8M): near the compute-optimal size for the FLOPs the demo's
    // minutes buy (Chinchilla), it takes several times small's steps in the same time.
    const string ModelSize = "mini";

    // Every distinct test-split problem these task settings have (the split is by a hash of the sorted numbers and
    // the target, so none is a training problem). Problems, not samples, are the unit of pass@1's interval: easy
    // problems are right in most samples, so more samples narrow it little, and only this many problems exist.
    const int HeldOutProblems = 255;

    // Four samples a problem: the interval's width comes mostly from how problems differ, so eight would narrow it
    // little at twice the cost of each of RL's evaluations.
    const int HeldOutSamples = 4;

    // Evaluations of RL, step 0 included: at least 6 for a curve, few enough that they add minutes, not tens.
    const int TrainTimePoints = 7;

    /// <summary>The main job: the full-size run the README's first command starts. RL's held-out evaluations use
    /// <see cref="EvalProblems"/> × <see cref="EvalSamples"/> (the demo sets them), so its step 0 and last step give
    /// the report's SFT and SFT + RL rows.</summary>
    public static DemoSettings Full() =>
        new(
            ModelSize,
            new Dictionary<string, string>(Countdown),
            new SftOptions
            {
                Steps = 1000,
                BatchSize = 32,
                LearningRate = 3e-3,
                WarmupSteps = 30,
                EvalEvery = 500,
                CheckpointEvery = 250,
                MaxSequenceLength = 512,
            },
            SftPool,
            // Dr. GRPO: GRPO's per-sequence length normalisation rewards short correct answers and shrinks the
            // reasoning. No format reward: after SFT nearly every completion is well-formed already.
            RlOptions.For("drgrpo") with
            {
                Steps = 150,
                PromptsPerStep = 16,
                GroupSize = 8,
                MicroBatchSize = 64,
                LearningRate = 1e-4,
                FormatReward = 0,
                TrainProblems = RlPool,
                WarmupSteps = 3,
                // o1's train-time figure has a log x axis: points spaced evenly in log(step), step 0 included.
                EvalPoints = TrainTimePoints,
                CheckpointEvery = 50,
            },
            EvalProblems: HeldOutProblems,
            EvalSamples: HeldOutSamples,
            MaxCompletionTokens: 256,
            // Budgets up to the longest searches (12 lines ≈ 130 tokens) and past them.
            Scale: new TestTime.ScalingOptions
            {
                Budgets = [8, 16, 32, 64, 128, 256],
                SampleCounts = [1, 2, 4, 8, 16],
                Temperature = 1.0,
                TopP = 1.0,
                AnswerTokens = 32,
                Strategies = TestTime.Strategies.Every,
                BeamWidth = 2,
            },
            ScaleProblems: 50,
            Prm: new DemoPrm(
                new Scoring.ScorerDataOptions(Problems: 160, SamplesPerProblem: 4, MaxNewTokens: 256),
                new Scoring.ProcessLabelOptions(RolloutsPerStep: 4, MaxNewTokens: 256),
                new Scoring.ScorerOptions { Steps = 400 }
            )
        );

    /// <summary>A smoke run of a few minutes: the same pipeline, smaller everywhere (its accuracies are near 0: it
    /// shows the pipeline works, not that the model learns).</summary>
    public static DemoSettings Quick() =>
        new(
            ModelSize,
            new Dictionary<string, string>(Countdown),
            new SftOptions
            {
                Steps = 300,
                BatchSize = 16,
                LearningRate = 3e-3,
                WarmupSteps = 20,
                EvalEvery = 0,
                CheckpointEvery = 300,
                MaxSequenceLength = 512,
            },
            SftPool,
            RlOptions.For("drgrpo") with
            {
                Steps = 4,
                PromptsPerStep = 4,
                GroupSize = 4,
                MicroBatchSize = 16,
                LearningRate = 1e-4,
                FormatReward = 0,
                WarmupSteps = 1,
                EvalPoints = 4,
                CheckpointEvery = 4,
            },
            EvalProblems: 30,
            EvalSamples: 4,
            MaxCompletionTokens: 256,
            Scale: new TestTime.ScalingOptions
            {
                Budgets = [16, 64],
                SampleCounts = [1, 4],
                Temperature = 1.0,
                TopP = 1.0,
                AnswerTokens = 32,
                Strategies = TestTime.Strategies.Every,
                BeamWidth = 2,
            },
            ScaleProblems: 10,
            Prm: new DemoPrm(
                new Scoring.ScorerDataOptions(Problems: 8, SamplesPerProblem: 2, MaxNewTokens: 128),
                new Scoring.ProcessLabelOptions(RolloutsPerStep: 2, MaxNewTokens: 128),
                new Scoring.ScorerOptions { Steps = 5, WarmupSteps = 1 }
            ),
            Smoke: true
        );
}

/// <summary>The demo's process reward model: what it samples, how its steps are labelled, how it trains.</summary>
sealed record DemoPrm(
    Scoring.ScorerDataOptions Data,
    Scoring.ProcessLabelOptions Labels,
    Scoring.ScorerOptions Training
);
