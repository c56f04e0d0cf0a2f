using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Verifier;

/// <summary>One labelled sequence: prompt + completion ids, and whether the grader judged the completion correct.</summary>
public sealed record VerifierExample(string ProblemId, int[] Ids, bool Correct);

/// <summary>
/// Trains an outcome verifier: binary cross-entropy on the last-token logit against the grader's label, AdamW with
/// warm-up and cosine decay, gradient clipping. Examples are drawn in shuffled epochs (seeded). Orchestration only.
/// </summary>
public sealed class VerifierTrainer : IDisposable
{
    readonly VerifierModel model;
    readonly IReadOnlyList<VerifierExample> data;
    readonly AdamW optimizer;
    readonly Random rng;
    int[] order = [];
    int position;

    public VerifierTrainer(VerifierModel model, IReadOnlyList<VerifierExample> data, VerifierOptions options)
    {
        if (data.Count == 0) throw new PonderException("the verifier has no training examples.");
        this.model = model;
        this.data = data;
        Options = options.Validate();
        rng = new Random((int)options.Seed);
        optimizer = new AdamW(model.Parameters, weightDecay: options.WeightDecay);
    }

    public VerifierOptions Options { get; }
    public int StepsTaken { get; private set; }

    /// <summary>One optimizer step over <see cref="VerifierOptions.BatchSize"/> examples; returns the mean BCE loss.</summary>
    public double Step()
    {
        model.Body.Network.train();
        var batch = Enumerable.Range(0, Options.BatchSize).Select(_ => Next()).ToArray();
        double loss;
        using (var scope = NewDisposeScope())
        {
            var (ids, attention) = VerifierBatch.Collate(batch.Select(e => e.Ids).ToArray(), model.PadId, model.Body.Network.Device);
            var labels = tensor(batch.Select(e => e.Correct ? 1f : 0f).ToArray(), device: model.Body.Network.Device);  // (B)
            var logits = model.OutcomeLogits(ids, attention);                                                          // (B)
            var l = nn.functional.binary_cross_entropy_with_logits(logits, labels);
            l.backward();
            loss = l.item<float>();
            nn.utils.clip_grad_norm_(model.Parameters.Select(p => p.Param), Options.MaxGradNorm);
        }
        double lr = LearningRateSchedule.WarmupCosine(StepsTaken, Options.Steps, Options.WarmupSteps, Options.LearningRate, 0.1);
        optimizer.Update(lr);
        optimizer.ZeroGrad();
        StepsTaken++;
        return loss;
    }

    VerifierExample Next()
    {
        if (position == order.Length)
        {
            order = Enumerable.Range(0, data.Count).ToArray();
            rng.Shuffle(order);
            position = 0;
        }
        return data[order[position++]];
    }

    public void Dispose() => optimizer.Dispose();
}
