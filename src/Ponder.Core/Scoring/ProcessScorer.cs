using Ponder.LanguageModels;
using Ponder.Rollouts;
using static TorchSharp.torch;

namespace Ponder.Scoring;

/// <summary>
/// A process reward model at test time: a <see cref="ScorerModel"/> trained on step labels
/// (<c>ponder scorer train --process</c>) that scores every step of a completion; its steps are split as it was
/// trained (<see cref="Separator"/>) and a solution's score is the steps' <see cref="Aggregation"/>. Owns the
/// scorer: dispose it.
/// </summary>
public sealed class ProcessScorer : IDisposable
{
    public const string Kind = "process";

    public ProcessScorer(ScorerModel model, StepAggregation? aggregation = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Info.Kind != Kind || model.Info.StepSeparator is null)
        {
            throw new PonderException(
                model.Info.Kind == Kind
                    ? "the process scorer's scorer.json has no step_separator; train it again with "
                        + "`ponder scorer train --process`."
                    : $"a scorer of kind {model.Info.Kind} scores whole completions; step scores need a process "
                        + "scorer (`ponder scorer train --process`)."
            );
        }
        Model = model;
        Separator = model.Info.StepSeparator;
        Aggregation = aggregation ?? StepAggregations.Parse(model.Info.Aggregation ?? "last");
    }

    public ScorerModel Model { get; }
    public string Separator { get; }
    public StepAggregation Aggregation { get; }

    /// <summary>Loads a process scorer directory, refusing one made for another policy or an outcome scorer.</summary>
    public static ProcessScorer Load(
        string dir,
        LanguageModel? policy,
        Runtime.DeviceOptions? device,
        StepAggregation? aggregation = null
    )
    {
        var info = ScorerInfo.Load(dir);
        if (info.Kind != Kind)
        {
            throw new PonderException(
                $"{dir} is an {info.Kind} scorer; step-level strategies need a process scorer: train one with "
                    + "`ponder scorer train --process`."
            );
        }
        var model = ScorerModel.Load(dir, policy, device);
        try
        {
            return new ProcessScorer(model, aggregation);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>P(a correct answer can still follow) at each step end of each sequence: <c>Ids</c> is prompt +
    /// completion, <c>Start</c> where the completion starts, <c>Ends</c> the steps' last positions
    /// (ascending).</summary>
    public double[][] StepScores(IReadOnlyList<(int[] Ids, int Start, int[] Ends)> sequences, int batchSize = 16) =>
        StepScores(Model, sequences, batchSize);

    /// <inheritdoc cref="StepScores(IReadOnlyList{ValueTuple{int[], int, int[]}}, int)"/>
    public static double[][] StepScores(
        ScorerModel model,
        IReadOnlyList<(int[] Ids, int Start, int[] Ends)> sequences,
        int batchSize = 16
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        model.Body.Network.eval();
        using var _ = no_grad();
        var scores = new double[sequences.Count][];
        for (int from = 0; from < sequences.Count; from += batchSize)
        {
            using var scope = NewDisposeScope();
            var part = sequences.Skip(from).Take(batchSize).ToArray();
            var (ids, attention) = ScorerBatch.Collate(
                [.. part.Select(p => p.Ids)],
                model.PadId,
                model.Body.Network.Device
            );
            var (logits, _) = model.StepLogits(
                ids,
                attention,
                [.. part.Select(p => p.Ends)],
                [.. part.Select(p => p.Start)],
                false
            );
            var p = logits.sigmoid().to(ScalarType.Float64).cpu().data<double>().ToArray();
            int s = (int)logits.shape[1];
            for (int i = 0; i < part.Length; i++)
                scores[from + i] = p.AsSpan(i * s, part[i].Ends.Length).ToArray();
        }
        return scores;
    }

    /// <summary>The step scores of graded rollouts (their steps split by <see cref="Separator"/>), the input cut to
    /// the scorer's maximum length from the front.</summary>
    public double[][] StepScores(IReadOnlyList<Rollout> rollouts) => StepScores([.. rollouts.Select(Sequence)]);

    /// <summary>Solution scores: each rollout's step scores aggregated.</summary>
    public double[] Score(IReadOnlyList<Rollout> rollouts) =>
        [.. StepScores(rollouts).Select(s => StepAggregations.Apply(Aggregation, s))];

    /// <summary>Solution scores of completions of one prompt, each given by its token ids (the reasoning's close found
    /// by the chat template's end-of-thinking token).</summary>
    public double[] Score(IReadOnlyList<int> prompt, IReadOnlyList<IReadOnlyList<int>> completions)
    {
        int? close = Model.Body.Chat?.ThinkEndId;
        var sequences = completions.Select(c =>
        {
            int at = close is int id ? c.ToList().LastIndexOf(id) : -1;
            return Sequence(prompt, c, at >= 0 ? at : null);
        });
        return [.. StepScores([.. sequences]).Select(s => StepAggregations.Apply(Aggregation, s))];
    }

    (int[] Ids, int Start, int[] Ends) Sequence(Rollout r) =>
        Sequence(r.Completion.PromptIds, r.Completion.TokenIds, r.Completion.ReasoningEnd);

    (int[] Ids, int Start, int[] Ends) Sequence(IReadOnlyList<int> prompt, IReadOnlyList<int> tokens, int? reasoningEnd)
    {
        var ends = ProcessLabels.Ends(Model.Body, tokens, reasoningEnd, Separator);
        var ids = ScorerBatch.Input(prompt, tokens, Model.Info.MaxLength);
        int dropped = prompt.Count + tokens.Count - ids.Length;
        int[] at = [.. ends.Select(e => prompt.Count + e - dropped).Where(e => e >= 1)];
        return (ids, Math.Max(0, prompt.Count - dropped), at.Length > 0 ? at : [ids.Length - 1]);
    }

    public void Dispose() => Model.Dispose();
}
