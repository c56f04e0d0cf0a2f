using Ponder.Checkpoints;
using Ponder.LanguageModels;
using Ponder.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Scoring;

/// <summary>
/// An outcome scorer: the policy's decoder (a <see cref="LanguageModel"/>) with a scalar head <c>Linear(C, 1)</c> on
/// its final hidden states. <see cref="PositionLogits"/> scores every token position, so a process (per-step) score
/// can later read positions inside the reasoning. The outcome logit of a completion is the head at its last real token
/// plus learned weights (<c>scorer_head.confidence</c>, starting at 0) times two features of the body's own
/// next-token distribution over the completion's tokens: their mean and their lowest log-probability. A sampled
/// mistake is usually a token the model itself found unlikely; a head on hidden states alone does not learn to see
/// that from a few thousand labels, while the model's own likelihood ranks samples of one problem well. P(correct) =
/// sigmoid(logit). Saved as a directory: the body in Hugging Face layout, <c>scorer_head.safetensors</c> and
/// <c>scorer.json</c>. Owns the body and head: dispose it.
/// </summary>
public sealed class ScorerModel : IDisposable
{
    public const string HeadFile = "scorer_head.safetensors";
    const string HeadWeight = "scorer_head.weight",
        HeadBias = "scorer_head.bias";
    const string LegacyHeadFile = "verifier_head.safetensors",
        LegacyPrefix = "verifier_head.";

    /// <summary>The name of the two confidence weights (in <see cref="Parameters"/> and the head file).</summary>
    public const string ConfidenceWeight = "scorer_head.confidence";

    readonly Linear head; // float32 whatever the body's dtype: it reads widened hidden states
    readonly Parameter confidence; // (2): weights of the completion's mean and lowest token log-probability

    ScorerModel(LanguageModel body, Linear head, Parameter confidence, ScorerInfo info)
    {
        Body = body;
        this.head = head;
        this.confidence = confidence;
        Info = info;
    }

    /// <summary>The decoder the head reads (its tokenizer is the policy's).</summary>
    public LanguageModel Body { get; }

    public ScorerInfo Info { get; set; }

    /// <summary>Body and head parameters, named as saved (<c>model.*</c>, or the body's LoRA adapters when it has
    /// them; <c>scorer_head.*</c>; lm_head is left out: it is frozen, read only for the confidence features).
    /// </summary>
    public IEnumerable<(string Name, Parameter Param)> Parameters =>
        (
            Body.Network.Adapter?.Parameters
            ?? Body.Network.named_parameters()
                .Where(p => !p.name.StartsWith("lm_head", StringComparison.Ordinal))
                .Select(p => (p.name, p.parameter))
        )
            .Append((HeadWeight, head.weight!))
            .Append((HeadBias, head.bias!))
            .Append((ConfidenceWeight, confidence));

    /// <summary>A new scorer whose body is <paramref name="policy"/> (taken over: the scorer disposes it) and whose
    /// head starts at zero, so every first score is ½.</summary>
    public static ScorerModel FromPolicy(LanguageModel policy, ScorerInfo info)
    {
        var head = nn.Linear(
            policy.Config.HiddenSize,
            1,
            hasBias: true,
            device: policy.Network.Device,
            dtype: ScalarType.Float32
        );
        using (no_grad())
        {
            head.weight!.zero_();
            head.bias!.zero_();
        }
        return new ScorerModel(policy, head, NewConfidence(policy), info);
    }

    static Parameter NewConfidence(LanguageModel body) =>
        new(zeros(2, dtype: ScalarType.Float32, device: body.Network.Device));

    /// <summary>The logit of P(correct) at every position (B, T): the head alone, the score of the sequence up to that
    /// token.</summary>
    public Tensor PositionLogits(Tensor ids, Tensor attention) =>
        Forward(ids, attention, null, outcome: false).Positions;

    /// <summary>The outcome logit (B) of right-padded rows whose completions start at <paramref name="starts"/> (B;
    /// null: every token after the first): the head at each row's last real token plus the confidence
    /// features.</summary>
    public Tensor OutcomeLogits(Tensor ids, Tensor attention, long[]? starts = null) =>
        Forward(ids, attention, starts).Outcome;

    /// <summary>Both readings from one forward pass: the head at every position (B, T) and, unless
    /// <paramref name="outcome"/> is false (then it is the head alone), the outcome logit (B).</summary>
    internal (Tensor Positions, Tensor Outcome) Forward(
        Tensor ids,
        Tensor attention,
        long[]? starts,
        bool bodyGradients = true,
        bool outcome = true
    )
    {
        Tensor hidden; // (B, T, C)
        using (bodyGradients ? null : no_grad())
            hidden = Body.Network.Hidden(ids, attention);
        var positions = head.forward(hidden.to(ScalarType.Float32)).squeeze(-1); // (B, T)
        var atLast = positions.gather(1, ScorerBatch.LastIndex(attention).unsqueeze(1)).squeeze(1); // (B)
        return (
            positions,
            outcome ? atLast.Plus(ConfidenceFeatures(hidden, ids, attention, starts).matmul(confidence)) : atLast
        );
    }

    /// <summary>
    /// A process scorer's step logits (B, S) and which are real (B, S): at each step's last token, the head plus the
    /// confidence weights times the step's mean and lowest token log-probability under the body (its tokens after the
    /// previous end, the first step's from the row's completion start). <paramref name="ends"/> lists each row's step
    /// ends as positions in its ids, ascending; rows with fewer steps are padded (mask false).
    /// </summary>
    internal (Tensor Logits, Tensor Mask) StepLogits(
        Tensor ids,
        Tensor attention,
        IReadOnlyList<int[]> ends,
        IReadOnlyList<int> starts,
        bool bodyGradients
    )
    {
        Tensor hidden; // (B, T, C)
        using (bodyGradients ? null : no_grad())
            hidden = Body.Network.Hidden(ids, attention);
        var positions = head.forward(hidden.to(ScalarType.Float32)).squeeze(-1); // (B, T)
        int b = ends.Count,
            s = Math.Max(1, ends.Max(e => e.Length));
        var index = new long[b * s];
        var mask = new bool[b * s];
        for (int i = 0; i < b; i++)
        {
            for (int k = 0; k < ends[i].Length; k++)
            {
                index[i * s + k] = ends[i][k];
                mask[i * s + k] = true;
            }
        }
        var atEnds = positions.gather(1, tensor(index, [b, s], device: ids.device)); // (B, S)
        var features = StepFeatures(hidden, ids, ends, starts, s); // (B, S, 2)
        return (atEnds.Plus(features.matmul(confidence)), tensor(mask, [b, s], device: ids.device));
    }

    /// <summary>(B, S, 2) without gradient: each step's mean and lowest token log-probability under the body (0 and 0
    /// for a step with no scored token).</summary>
    Tensor StepFeatures(Tensor hidden, Tensor ids, IReadOnlyList<int[]> ends, IReadOnlyList<int> starts, int s)
    {
        using var _ = no_grad();
        long t = ids.shape[1];
        int b = ends.Count;
        var features = new float[b * s * 2];
        if (t >= 2)
        {
            // (B, T−1): log p(token k), k = 1…T−1
            var token = Training
                .TokenLogprobs.OfNextTokens(Body.Network.Logits(hidden), ids)
                .to(ScalarType.Float32)
                .cpu()
                .data<float>()
                .ToArray();
            for (int i = 0; i < b; i++)
            {
                int from = Math.Max(1, starts[i]);
                for (int k = 0; k < ends[i].Length; k++)
                {
                    int to = ends[i][k];
                    var span = Enumerable
                        .Range(from, Math.Max(0, to - from + 1))
                        .Select(p => token[i * (t - 1) + p - 1]);
                    if (to >= from)
                    {
                        features[(i * s + k) * 2] = span.Average();
                        features[(i * s + k) * 2 + 1] = span.Min();
                    }
                    from = to + 1;
                }
            }
        }
        return tensor(features, [b, s, 2], device: ids.device);
    }

    /// <summary>(B, 2), without gradient: the mean and the lowest log-probability the body's own next-token
    /// distribution gives the completion's tokens (tokens from each row's start, at least the second, up to its last
    /// real token); 0 and 0 for a row with none.</summary>
    internal Tensor ConfidenceFeatures(Tensor hidden, Tensor ids, Tensor attention, long[]? starts)
    {
        using var _ = no_grad();
        long b = ids.shape[0],
            t = ids.shape[1];
        if (t < 2)
            return zeros(b, 2, dtype: ScalarType.Float32, device: ids.device);
        // (B, T−1): log p(token k), k = 1…T−1
        var token = Training.TokenLogprobs.OfNextTokens(Body.Network.Logits(hidden), ids).to(ScalarType.Float32);
        using var s = new Scalars();
        var start = tensor(starts ?? new long[b], device: ids.device).clamp_min(s[1]); // (B)
        var scored = (TensorOps.Range(1, t, ids.device).unsqueeze(0) >= start.unsqueeze(1)).logical_and(
            attention[.., 1..] > s[0]
        ); // (B, T−1)
        var count = scored.sum(1).to(ScalarType.Float32); // (B)
        var mean = token.masked_fill(scored.logical_not(), s[0]).sum(1) / count.clamp_min(s[1]); // (B)
        var lowest = token.masked_fill(scored.logical_not(), s[double.PositiveInfinity]).amin(1); // (B)
        lowest = lowest.masked_fill(count == s[0], s[0]);
        return stack([mean, lowest], 1); // (B, 2)
    }

    /// <summary>P(correct) of each sequence (the whole of it scored as completion after its first token), without
    /// gradients, in batches of <paramref name="batchSize"/> (default 16).</summary>
    public double[] Score(IReadOnlyList<int[]> sequences, int batchSize = 16) =>
        Score(sequences.Select(ids => new ScorerExample("", ids, false)).ToArray(), batchSize);

    /// <summary>P(correct) of each example's completion (from its
    /// <see cref="ScorerExample.CompletionStart"/>).</summary>
    public double[] Score(IReadOnlyList<ScorerExample> examples, int batchSize = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Body.Network.eval();
        using var _ = no_grad();
        var scores = new double[examples.Count];
        for (int start = 0; start < examples.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var part = examples.Skip(start).Take(batchSize).ToArray();
            var (ids, attention) = ScorerBatch.Collate(part.Select(e => e.Ids).ToArray(), PadId, Body.Network.Device);
            var p = OutcomeLogits(ids, attention, [.. part.Select(e => (long)e.CompletionStart)])
                .sigmoid()
                .to(ScalarType.Float64)
                .cpu()
                .data<double>()
                .ToArray();
            Array.Copy(p, 0, scores, start, p.Length);
        }
        return scores;
    }

    /// <summary>P(correct) of each graded rollout, reading its prompt and completion ids (see
    /// <see cref="ScorerBatch.Example"/>).</summary>
    public double[] Score(IReadOnlyList<Rollouts.Rollout> rollouts, int batchSize = 16) =>
        Score(
            rollouts
                .Select(r =>
                    ScorerBatch.Example(
                        r.Problem.Id,
                        r.Completion.PromptIds,
                        r.Completion.TokenIds,
                        r.Grade.Correct,
                        Info.MaxLength
                    )
                )
                .ToArray(),
            batchSize
        );

    internal int PadId => Body.Tokenizer.PadTokenId ?? Body.Chat?.EndOfTurnId ?? 0;

    /// <summary>Writes the body (Hugging Face layout), the head and scorer.json into <paramref name="dir"/>.</summary>
    public void Save(string dir)
    {
        Body.Save(dir);
        SafeTensors.Write(
            Path.Combine(dir, HeadFile),
            new Dictionary<string, Tensor>
            {
                [HeadWeight] = head.weight!,
                [HeadBias] = head.bias!,
                [ConfidenceWeight] = confidence,
            }
        );
        Info.Save(dir);
    }

    /// <summary>Loads a scorer directory; with <paramref name="policy"/>, refuses one trained for another tokenizer or
    /// architecture.</summary>
    public static ScorerModel Load(string dir, LanguageModel? policy = null, Runtime.DeviceOptions? device = null)
    {
        var info = ScorerInfo.Load(dir);
        if (policy is not null)
            info.CheckCompatible(policy, dir);
        string headPath = Path.Combine(dir, HeadFile);
        if (!File.Exists(headPath) && File.Exists(Path.Combine(dir, LegacyHeadFile)))
            headPath = Path.Combine(dir, LegacyHeadFile);
        if (!File.Exists(headPath))
            throw new PonderException($"{dir}: {HeadFile} is missing; the scorer directory is incomplete.");
        var body = LanguageModel.Load(dir, device);
        var head = nn.Linear(
            body.Config.HiddenSize,
            1,
            hasBias: true,
            device: body.Network.Device,
            dtype: ScalarType.Float32
        );
        var confidence = NewConfidence(body);
        try
        {
            ReadHead(headPath, body, head, confidence);
        }
        catch
        {
            confidence.Dispose();
            head.Dispose();
            body.Dispose();
            throw;
        }
        return new ScorerModel(body, head, confidence, info);
    }

    /// <summary>Copies the head file's weights into <paramref name="head"/> and <paramref name="confidence"/>; files
    /// from before the rename carry <c>verifier_head.*</c> keys.</summary>
    static void ReadHead(string headPath, LanguageModel body, Linear head, Parameter confidence)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (key, value) in SafeTensors.Read(headPath, ScalarType.Float32, body.Network.Device))
        {
            string name = key.StartsWith(LegacyPrefix, StringComparison.Ordinal)
                ? "scorer_head." + key[LegacyPrefix.Length..]
                : key;
            if (!tensors.TryAdd(name, value))
                throw new PonderException($"{headPath}: holds {name} twice (as {key} too); keep one of them.");
        }
        if (
            !tensors.TryGetValue(HeadWeight, out var w)
            || !tensors.TryGetValue(HeadBias, out var b)
            || w.shape[^1] != body.Config.HiddenSize
        )
        {
            throw new PonderException(
                $"{headPath}: expected {HeadWeight} [1, {body.Config.HiddenSize}] and {HeadBias} [1]."
            );
        }

        head.weight!.copy_(w.reshape(1, -1));
        head.bias!.copy_(b.reshape(1));
        if (tensors.TryGetValue(ConfidenceWeight, out var c)) // absent in scorers written before it existed: 0
        {
            if (c.numel() != 2)
                throw new PonderException($"{headPath}: expected {ConfidenceWeight} [2].");
            confidence.copy_(c.reshape(2));
        }
    }

    public void Dispose()
    {
        confidence.Dispose();
        head.Dispose();
        Body.Dispose();
    }
}
