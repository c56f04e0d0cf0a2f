using Ponder.Runtime;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Scoring;

/// <summary>One labelled sequence: prompt + completion ids, whether the grader judged the completion correct, and where
/// the completion starts in <paramref name="Ids"/> (0: score every position).</summary>
public sealed record ScorerExample(string ProblemId, int[] Ids, bool Correct, int CompletionStart = 0);

/// <summary>
/// Trains an outcome scorer: binary cross-entropy against the grader's label, AdamW with warm-up and cosine decay,
/// gradient clipping. Examples are drawn in shuffled epochs (seeded). Orchestration only.
/// <para>With <see cref="ScorerOptions.EveryToken"/> the label is the target of every completion position, not only
/// the last (Cobbe et al. 2021's token-level verifier, which they found to overfit less than a solution-level one): a
/// position's logit then estimates the chance that a completion with this prefix ends correct — a value function.
/// The score read at test time is still the last token's.</para>
/// <para>With <see cref="ScorerOptions.PairwiseWeight"/> λ &gt; 0 a batch is whole problems (<see cref="PerProblem"/>
/// samples each, half right and half wrong), and λ · mean −log σ(s_right − s_wrong) over the pairs of one problem's
/// samples is added (the Bradley–Terry loss of reward models): re-ranking needs the order within a problem only, and
/// BCE alone also learns which problems are hard.</para>
/// </summary>
public sealed class ScorerTrainer : IDisposable
{
    /// <summary>How much faster than the body and head the two confidence weights learn. They are two scalars reading
    /// features of size ~1–10 (log-probabilities), and Adam moves a weight by about the learning rate per step whatever
    /// its gradient: at the body's rate a few hundred steps move them by hundredths, too little to rank by; at 30×
    /// they can reach ~1.</summary>
    public const double ConfidenceRateScale = 30;

    /// <summary>Samples per problem in a pairwise batch (half right, half wrong).</summary>
    public const int PerProblem = 4;

    readonly ScorerModel model;
    readonly IReadOnlyList<ScorerExample> data;
    readonly ScorerOptimizer optimizer;
    readonly Random rng;
    readonly (ScorerExample[] Right, ScorerExample[] Wrong)[] mixed; // problems with both labels (pairwise batches)
    int[] order = [];
    int position;

    public ScorerTrainer(ScorerModel model, IReadOnlyList<ScorerExample> data, ScorerOptions options)
    {
        if (data.Count == 0)
            throw new PonderException("the scorer has no training examples.");
        this.model = model;
        this.data = data;
        Options = options.Validate();
        rng = new Random((int)options.Seed);
        mixed =
        [
            .. data.GroupBy(e => e.ProblemId, StringComparer.Ordinal)
                .Select(g => (Right: g.Where(e => e.Correct).ToArray(), Wrong: g.Where(e => !e.Correct).ToArray()))
                .Where(g => g.Right.Length > 0 && g.Wrong.Length > 0),
        ];
        if (Options.PairwiseWeight > 0 && mixed.Length == 0)
        {
            throw new PonderException(
                "the pairwise loss needs problems with both correct and incorrect samples, and none has; "
                    + "sample more per problem or drop --pairwise."
            );
        }

        if (Options.PairwiseWeight > 0 && Options.BatchSize % PerProblem != 0)
        {
            throw new PonderException(
                $"--batch-size {Options.BatchSize}: with --pairwise a batch is whole problems of {PerProblem} "
                    + $"samples; use a multiple of {PerProblem}."
            );
        }

        Adapters.Prepare(model.Body, Options.Lora, Options.Seed);
        optimizer = new ScorerOptimizer(model, Options, TrainsBody);
    }

    public ScorerOptions Options { get; }

    /// <summary>Whether the body learns: all of it (<see cref="ScorerOptions.TrainBody"/>) or its LoRA adapters.
    /// </summary>
    bool TrainsBody => Options.TrainBody || model.Body.Network.Adapter is not null;
    public int StepsTaken { get; private set; }

    /// <summary>One optimizer step over <see cref="ScorerOptions.BatchSize"/> examples; returns the loss (mean BCE,
    /// plus the weighted pairwise loss when on).</summary>
    public double Step()
    {
        model.Body.Network.train();
        var batch =
            Options.PairwiseWeight > 0
                ? NextProblems()
                : [.. Enumerable.Range(0, Options.BatchSize).Select(_ => Next())];
        double loss;
        using (var scope = NewDisposeScope())
        {
            var (ids, attention) = ScorerBatch.Collate(
                batch.Select(e => e.Ids).ToArray(),
                model.PadId,
                model.Body.Network.Device
            );
            var labels = tensor(batch.Select(e => e.Correct ? 1f : 0f).ToArray(), device: model.Body.Network.Device);
            var (positions, last) = model.Forward(
                ids,
                attention,
                [.. batch.Select(e => (long)e.CompletionStart)],
                bodyGradients: TrainsBody
            ); // (B, T), (B)
            var l = BatchLoss(batch, attention, positions, last, labels);
            l.backward();
            loss = l.item<float>();
            optimizer.Clip();
        }
        optimizer.Step(StepsTaken);
        StepsTaken++;
        return loss;
    }

    /// <summary>The batch's loss: BCE on the outcome (or on every completion position), plus the weighted pairwise
    /// loss when on.</summary>
    Tensor BatchLoss(ScorerExample[] batch, Tensor attention, Tensor positions, Tensor last, Tensor labels)
    {
        // Every token: the positions' logits with the last one read as the outcome.
        var l = Options.EveryToken
            ? EveryTokenLoss(
                positions.scatter(1, ScorerBatch.LastIndex(attention).unsqueeze(1), last.unsqueeze(1)),
                attention,
                [.. batch.Select(e => (long)Math.Min(e.CompletionStart, e.Ids.Length - 1))],
                labels
            )
            : nn.functional.binary_cross_entropy_with_logits(last, labels);
        if (Options.PairwiseWeight > 0)
        {
            using var s = new Scalars();
            var pairwise = PairwiseLoss(last, [.. batch.Select(e => e.Correct)], [.. batch.Select(e => e.ProblemId)]);
            l = l.Plus(pairwise * s[Options.PairwiseWeight]);
        }
        return l;
    }

    /// <summary>Mean BCE over every scored position of the batch: the row's label (B) is the target of each of its
    /// positions from <paramref name="starts"/> (B) up to its last real token. <paramref name="logits"/> and
    /// <paramref name="attention"/> are (B, T), right-padded.</summary>
    internal static Tensor EveryTokenLoss(Tensor logits, Tensor attention, long[] starts, Tensor labels)
    {
        long t = logits.shape[1];
        var start = tensor(starts, device: logits.device); // (B)
        var after = TensorOps.Range(t, logits.device).unsqueeze(0) >= start.unsqueeze(1); // (B, T)
        var scored = after.to(ScalarType.Float32) * attention; // (B, T)
        var targets = labels.unsqueeze(1).expand(-1, t); // (B, T)
        var each = nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction: nn.Reduction.None);
        return (each * scored).sum() / scored.sum();
    }

    /// <summary>Mean −log σ(s_right − s_wrong) = softplus(s_wrong − s_right) over every (right, wrong) pair of samples
    /// of the same problem; <paramref name="scores"/> (B) are outcome logits. 0 when the batch holds no such
    /// pair.</summary>
    internal static Tensor PairwiseLoss(Tensor scores, bool[] correct, string[] problems)
    {
        var (right, wrong) = (new List<long>(), new List<long>());
        for (int i = 0; i < correct.Length; i++)
        {
            for (int j = 0; j < correct.Length; j++)
            {
                if (correct[i] && !correct[j] && problems[i] == problems[j])
                {
                    right.Add(i);
                    wrong.Add(j);
                }
            }
        }

        if (right.Count == 0)
            return zeros(1, dtype: scores.dtype, device: scores.device).sum();
        var margin =
            scores.index_select(0, tensor(right.ToArray(), device: scores.device))
            - scores.index_select(0, tensor(wrong.ToArray(), device: scores.device)); // (pairs)
        return TensorOps.Softplus(-margin).mean();
    }

    /// <summary>A pairwise batch: the next problems with both labels (shuffled epochs), <see cref="PerProblem"/> / 2
    /// right and as many wrong samples of each, drawn at random (with repeats when a problem has fewer).</summary>
    internal ScorerExample[] NextProblems()
    {
        var batch = new List<ScorerExample>(Options.BatchSize);
        while (batch.Count < Options.BatchSize)
        {
            if (position >= order.Length)
            {
                order = Enumerable.Range(0, mixed.Length).ToArray();
                rng.Shuffle(order);
                position = 0;
            }
            var (right, wrong) = mixed[order[position++]];
            for (int k = 0; k < PerProblem / 2; k++)
            {
                batch.Add(right[rng.Next(right.Length)]);
                batch.Add(wrong[rng.Next(wrong.Length)]);
            }
        }
        return [.. batch];
    }

    ScorerExample Next()
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
