using Ponder.Runtime;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Scoring;

/// <summary>
/// Trains a process scorer: binary cross-entropy between each step's logit (<see cref="ScorerModel.StepLogits"/>)
/// and its Monte-Carlo label — the soft share of continuations that reached a correct answer, or Math-Shepherd's hard
/// "some did" — averaged over the batch's steps. AdamW with warm-up and cosine decay, gradient clipping, shuffled
/// epochs (seeded), as the outcome scorer's trainer; the body learns only with TrainBody or LoRA.
/// </summary>
public sealed class ProcessTrainer : IDisposable
{
    readonly ScorerModel model;
    readonly IReadOnlyList<ProcessExample> data;
    readonly bool hardLabels;
    readonly ScorerOptimizer optimizer;
    readonly Random rng;
    int[] order = [];
    int position;

    public ProcessTrainer(ScorerModel model, IReadOnlyList<ProcessExample> data, ScorerOptions options, bool hardLabels)
    {
        if (data.Count == 0)
            throw new PonderException("the process scorer has no training examples.");
        (this.model, this.data, this.hardLabels) = (model, data, hardLabels);
        Options = options.Validate();
        rng = new Random((int)options.Seed);
        Adapters.Prepare(model.Body, Options.Lora, Options.Seed);
        optimizer = new ScorerOptimizer(model, Options, TrainsBody);
    }

    public ScorerOptions Options { get; }
    bool TrainsBody => Options.TrainBody || model.Body.Network.Adapter is not null;
    public int StepsTaken { get; private set; }

    /// <summary>One optimizer step over <see cref="ScorerOptions.BatchSize"/> examples; returns the mean step
    /// BCE.</summary>
    public double Step()
    {
        model.Body.Network.train();
        var batch = Enumerable.Range(0, Options.BatchSize).Select(_ => Next()).ToArray();
        double loss;
        using (var scope = NewDisposeScope())
        {
            var device = model.Body.Network.Device;
            var (ids, attention) = ScorerBatch.Collate(batch.Select(e => e.Ids).ToArray(), model.PadId, device);
            var (logits, mask) = model.StepLogits(
                ids,
                attention,
                [.. batch.Select(e => e.StepEnds)],
                [.. batch.Select(e => e.CompletionStart)],
                TrainsBody
            ); // (B, S), (B, S)
            var l = Loss(logits, mask, Targets(batch, (int)logits.shape[1], device));
            l.backward();
            loss = l.item<float>();
            optimizer.Clip();
        }
        optimizer.Step(StepsTaken);
        StepsTaken++;
        return loss;
    }

    /// <summary>Mean BCE over the real steps: <paramref name="logits"/>, <paramref name="mask"/> and
    /// <paramref name="targets"/> are (B, S).</summary>
    internal static Tensor Loss(Tensor logits, Tensor mask, Tensor targets)
    {
        var each = nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction: nn.Reduction.None);
        var m = mask.to(ScalarType.Float32);
        return (each * m).sum() / m.sum();
    }

    Tensor Targets(ProcessExample[] batch, int s, Device device)
    {
        var t = new float[batch.Length * s];
        for (int i = 0; i < batch.Length; i++)
        {
            for (int k = 0; k < batch[i].Soft.Length; k++)
                t[i * s + k] = hardLabels ? (batch[i].Hard(k) ? 1 : 0) : (float)batch[i].Soft[k];
        }
        return tensor(t, [batch.Length, s], device: device);
    }

    ProcessExample Next()
    {
        if (position == order.Length)
        {
            order = Enumerable.Range(0, data.Count).ToArray();
            rng.Shuffle(order);
            position = 0;
        }
        return data[order[position++]];
    }

    public void Dispose()
    {
        optimizer.Dispose();
    }
}
