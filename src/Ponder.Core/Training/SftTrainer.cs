using System.Diagnostics;
using System.Globalization;
using Ponder.LanguageModels;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Training;

/// <summary>What one optimizer step did.</summary>
public sealed record SftStep(
    int Step,
    double Loss,
    double LearningRate,
    double GradNorm,
    long Tokens,
    long TargetTokens,
    int Truncated,
    double Seconds,
    double Flops = 0
)
{
    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : 0;

    public IReadOnlyDictionary<string, double> ToMetrics() =>
        new Dictionary<string, double>
        {
            ["train/loss"] = Loss,
            ["train/lr"] = LearningRate,
            ["train/grad_norm"] = GradNorm,
            ["train/tokens"] = Tokens,
            ["train/target_tokens"] = TargetTokens,
            ["train/truncated"] = Truncated,
            ["train/tokens_per_second"] = TokensPerSecond,
            ["train/flops"] = Flops,
        };
}

/// <summary>
/// Supervised fine-tuning on reasoning traces: next-token loss on the assistant's tokens (its thinking and its
/// answer), AdamW with warm-up and cosine decay, gradient clipping and accumulation. Orchestration only: the
/// loss is <see cref="SftLoss"/>, the update <see cref="AdamW"/>, the data <see cref="SftData"/>.
/// </summary>
public sealed class SftTrainer : IDisposable
{
    readonly LanguageModel lm;
    readonly SftData data;
    readonly ChatTemplate template;
    readonly AdamW optimizer;
    readonly int padId;

    public SftTrainer(LanguageModel lm, SftData data, SftOptions options)
    {
        this.lm = lm;
        this.data = data;
        Options = options.Validate();
        template =
            lm.Chat
            ?? throw new PonderException(
                "SFT needs a tokenizer with the ChatML thinking tokens (<|im_start|>, <|im_end|>, <think>, </think>)."
            );
        SftBatch.RequireTargets(template, data, Options.MaxSequenceLength);
        padId = lm.Tokenizer.PadTokenId ?? template.EndOfTurnId;
        Adapters.Prepare(lm, Options.Lora, Options.Seed);
        lm.Network.GradientCheckpointing = Options.GradientCheckpointing;
        optimizer = new AdamW(lm.TrainableParameters(), weightDecay: options.WeightDecay);
        State = new TrainerState { Kind = "sft", Seed = options.Seed };
    }

    public SftOptions Options { get; }
    public TrainerState State { get; private set; }
    public bool Finished => State.Step >= Options.Steps;

    /// <summary>Training FLOPs so far (forward and backward of every example, <see cref="Model.Flops"/>), kept in the
    /// checkpoints so a resumed run continues the count. A train-time compute axis starts RL from here.</summary>
    public double CumulativeFlops =>
        State.Extra.TryGetValue(FlopsKey, out var f) ? double.Parse(f, CultureInfo.InvariantCulture) : 0;

    const string FlopsKey = "flops";

    /// <summary>Restores the optimizer and position of a checkpoint whose weights <c>lm</c> was loaded from.</summary>
    public void Resume(string checkpoint)
    {
        var state = TrainingCheckpoint.ReadState(checkpoint);
        if (state.Kind != "sft")
            throw new PonderException($"{checkpoint}: a {state.Kind} checkpoint, not an SFT one.");
        optimizer.Load(Path.Combine(checkpoint, TrainingCheckpoint.OptimizerFile));
        State = state;
    }

    public string SaveCheckpoint(string checkpointsDir) =>
        TrainingCheckpoint.Save(checkpointsDir, State, lm, optimizer, Options.KeepCheckpoints);

    /// <summary>One optimizer step over <see cref="SftOptions.ExamplesPerStep"/> examples.</summary>
    public SftStep Step()
    {
        var clock = Stopwatch.StartNew();
        lm.Network.train();
        lm.Network.Adapter?.Reseed(Options.Seed, State.Step);
        var (examples, truncated) = StepExamples();
        long targets = examples.Sum(e => (long)SftBatch.TargetCount(e.Trainable));
        long tokens = examples.Sum(e => (long)e.Ids.Length);

        double loss = 0;
        for (int micro = 0; micro < Options.GradientAccumulation; micro++)
        {
            using var scope = NewDisposeScope();
            var part = examples.GetRange(micro * Options.BatchSize, Options.BatchSize);
            Tensor logprobs,
                lossMask;
            if (Options.Packing)
            {
                var (ids, positions, segments, mask) = SftBatch.Pack(part, padId, lm.Network.Device);
                // (R, L−1)
                (logprobs, lossMask) = (TokenLogprobs.ComputePacked(lm.Network, ids, positions, segments), mask);
            }
            else
            {
                var (ids, _, mask) = SftBatch.Collate(part, padId, lm.Network.Device);
                // (B, T−1); right-padded
                (logprobs, lossMask) = (TokenLogprobs.Compute(lm.Network, ids, attentionMask: null), mask);
            }
            var l = SftLoss.MaskedNll(logprobs, lossMask, targets);
            l.backward();
            loss += l.item<float>();
        }
        double gradNorm;
        using (var scope = NewDisposeScope())
            gradNorm = nn.utils.clip_grad_norm_(optimizer.Parameters, Options.MaxGradNorm);
        double lr = LearningRateSchedule.WarmupCosine(
            State.Step,
            Options.Steps,
            Options.WarmupSteps,
            Options.LearningRate,
            Options.MinLrRatio
        );
        optimizer.Update(lr);
        optimizer.ZeroGrad();
        double flops = TrainFlops(examples),
            seconds = clock.Elapsed.TotalSeconds;
        Advance(flops);
        return new SftStep(State.Step, loss, lr, gradNorm, tokens, targets, truncated, seconds, flops);
    }

    /// <summary>The step's examples, tokenized, and how many were cut to the maximum length.</summary>
    (List<(int[] Ids, bool[] Trainable)> Examples, int Truncated) StepExamples()
    {
        int truncated = 0;
        var examples = new List<(int[] Ids, bool[] Trainable)>(Options.ExamplesPerStep);
        for (int i = 0; i < Options.ExamplesPerStep; i++)
        {
            var (ids, trainable, cut) = SftBatch.Tokenize(
                template,
                data.Get(State.DataPosition + i),
                Options.MaxSequenceLength,
                data.Tools
            );
            examples.Add((ids, trainable));
            if (cut)
                truncated++;
        }
        return (examples, truncated);
    }

    /// <summary>The state after a step: one step on, past its examples, with its FLOPs counted.</summary>
    void Advance(double flops) =>
        State = State with
        {
            Step = State.Step + 1,
            DataPosition = State.DataPosition + Options.ExamplesPerStep,
            Extra = new Dictionary<string, string>(State.Extra)
            {
                [FlopsKey] = (CumulativeFlops + flops).ToString("R", CultureInfo.InvariantCulture),
            },
        };

    /// <summary>Forward and backward FLOPs of the step's examples, each a sequence of its own length T (packed
    /// examples attend within their segment): T · train(T), as RL's update counts its rows.</summary>
    double TrainFlops(List<(int[] Ids, bool[] Trainable)> examples) =>
        examples.Sum(e => e.Ids.Length * Model.Flops.TrainPerToken(lm.Config, e.Ids.Length));

    public void Dispose() => optimizer.Dispose();
}
