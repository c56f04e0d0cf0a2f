using Ponder.Algorithms;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Rollouts;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Reinforcement;

/// <summary>What one policy update did, for the step's metrics (means are over trained completion tokens).</summary>
sealed record UpdateStats(
    double Loss,
    double Kl,
    double Entropy,
    double ClipFraction,
    double Ratio,
    double GradNorm,
    double LearningRate,
    long Tokens,
    double Flops,
    int RowsTrained,
    double MismatchAbs = 0,
    double MismatchKl = 0,
    double IsCapped = 0
);

/// <summary>
/// The policy update of one RL step, in named steps: select the rows that carry a gradient → frozen log-probs
/// (reference and sampling policy) → rewards with the KL penalty when it goes into the reward (a new array: the
/// task's rewards stay what is logged) → advantages → the algorithm's loss normaliser → epochs of micro-batched
/// forward/backward and optimizer steps. The math is the algorithm's (<see cref="IPolicyAlgorithm"/>).
/// </summary>
sealed class PolicyUpdate(
    LanguageModel policy,
    AdamW optimizer,
    IPolicyAlgorithm algorithm,
    RlOptions options,
    int padId,
    CausalLM? reference
) : IDisposable
{
    /// <summary>The frozen reference for the KL penalty, or null when β = 0. Owned: disposed with this — unless it
    /// is the policy's own network (<see cref="ReferenceIsBase"/>).</summary>
    public CausalLM? Reference { get; private set; } = reference;

    /// <summary>The reference is the policy's base model: its network with the LoRA adapters switched off, so a
    /// LoRA run's KL costs no second copy of the weights.</summary>
    public bool ReferenceIsBase => Reference is not null && ReferenceEquals(Reference, policy.Network);

    /// <summary>Replaces the reference (a resumed run's, read from its checkpoint) and disposes the old one.</summary>
    public void ReplaceReference(CausalLM resumed)
    {
        Reference?.Dispose();
        Reference = resumed;
    }

    public void Dispose()
    {
        if (!ReferenceIsBase)
            Reference?.Dispose();
    }

    ModelConfig Config => policy.Config;

    /// <param name="rewards">The task's reward of each rollout; never modified.</param>
    /// <param name="step">The 0-based optimizer step (for the learning-rate schedule).</param>
    public UpdateStats Run(IReadOnlyList<Rollout> rollouts, IReadOnlyList<double> rewards, int step)
    {
        // Without a reference policy the rewards are final here, so advantages can choose the rows before any forward.
        double[]? finalAdvantages = Reference is null ? algorithm.Advantages(rewards, options.GroupSize) : null;
        var (trained, withGradient) = SelectRows(rollouts.Count, finalAdvantages);
        var rows = trained.Select(i => rollouts[i]).ToList();
        var batches = rows.Chunk(options.MicroBatchSize)
            .Select(c => RolloutTensors.Build(c, padId, policy.Network.Device))
            .ToList();
        var behaviours = Behaviours(rows);
        var frozen = new List<Frozen>();
        try
        {
            frozen.AddRange(batches.Select(FrozenLogprobs));
            double[] advantages =
                finalAdvantages ?? algorithm.Advantages(ShapedRewards(rewards, batches, frozen), options.GroupSize);
            var shape = new StepShape(
                rollouts.Count,
                rollouts.Sum(r => (long)r.Completion.ModelTokens),
                options.MaxCompletionTokens
            );
            double normalizer = algorithm.Normalizer(shape);
            var (sums, gradNorm, lr) = Optimise(
                batches,
                behaviours,
                frozen,
                [.. trained.Select(i => advantages[i])],
                normalizer,
                step
            );
            return Stats(sums, gradNorm, lr, rows, withGradient);
        }
        finally
        {
            foreach (var f in frozen)
            {
                f.Reference?.Dispose();
                f.Old?.Dispose();
            }
            foreach (var (ids, mask) in batches)
            {
                ids.Dispose();
                mask.Dispose();
            }
            foreach (var b in behaviours)
                b?.Dispose();
        }
    }

    UpdateStats Stats(LossSums sums, double gradNorm, double lr, IReadOnlyList<Rollout> rows, int withGradient)
    {
        double w = Math.Max(1, sums.Tokens),
            m = Math.Max(1, sums.MismatchTokens);
        long sequenceTokens = rows.Sum(r => (long)SequenceLength(r));
        return new UpdateStats(
            sums.Loss / options.UpdatesPerBatch,
            sums.Kl / w,
            sums.Entropy / w,
            sums.Clip / w,
            sums.Ratio / w,
            gradNorm,
            lr,
            sequenceTokens * options.UpdatesPerBatch,
            Flops(rows),
            withGradient,
            sums.MismatchAbs / m,
            sums.MismatchKl / m,
            sums.Capped / m
        );
    }

    /// <summary>Each micro-batch's behaviour log-probs (the rollout engine's), or null where rollouts came without
    /// them; an off-policy correction refuses the latter.</summary>
    List<Tensor?> Behaviours(List<Rollout> rows)
    {
        var behaviours = rows.Chunk(options.MicroBatchSize)
            .Select(c => OffPolicy.Behaviour(c, policy.Network.Device))
            .ToList();
        if (options.Policy.Correction != IsCorrection.None && behaviours.Any(b => b is null))
        {
            foreach (var b in behaviours)
                b?.Dispose();
            throw new PonderException(
                $"--is-correction {options.Policy.Correction.ToString().ToLowerInvariant()} needs the rollout "
                    + "engine's log-probs of every completion token, and some rollouts came without them."
            );
        }
        return behaviours;
    }

    /// <summary>The rows the forward and backward passes see: every row, or — without a reference policy, when
    /// skipping is on — those whose advantage is not 0. A completion with advantage 0 adds exactly 0 to the loss and
    /// its gradient (the normaliser still counts every rollout), so leaving it out changes nothing. At least one row
    /// is kept: its backward makes the zero gradients the optimizer step (weight and moment decay) then
    /// applies.</summary>
    (int[] Trained, int WithGradient) SelectRows(int count, double[]? finalAdvantages)
    {
        int[] all = Enumerable.Range(0, count).ToArray();
        if (finalAdvantages is null || !options.SkipZeroAdvantage)
            return (all, count);
        int[] trained = all.Where(i => finalAdvantages[i] != 0).ToArray();
        return (trained.Length == 0 ? [0] : trained, trained.Length);
    }

    /// <summary>A micro-batch's log-probs under the frozen reference (β &gt; 0) and under the sampling policy (needed
    /// when μ &gt; 1: later epochs' ratios are against it), computed once before any update.</summary>
    sealed record Frozen(Tensor? Reference, Tensor? Old);

    Frozen FrozenLogprobs((Tensor Ids, Tensor Mask) batch)
    {
        using var _ = no_grad();
        Tensor? reference = null;
        if (Reference is not null)
        {
            using var baseOnly = ReferenceIsBase ? policy.Network.Adapter!.Disable() : null;
            reference = Logprobs(Reference, batch.Ids).DetachFromDisposeScope();
        }
        var old = options.UpdatesPerBatch > 1 ? Logprobs(policy.Network, batch.Ids).DetachFromDisposeScope() : null;
        return new Frozen(reference, old);
    }

    /// <summary>Right-padded rows: no attention mask is needed.</summary>
    Tensor Logprobs(CausalLM model, Tensor ids)
    {
        var (logprobs, entropy) = TokenLogprobs.ComputeWithEntropy(
            model,
            ids,
            null,
            options.Temperature,
            options.LogitsChunk(Config.VocabSize)
        );
        entropy.Dispose();
        return logprobs;
    }

    /// <summary>The rewards the advantages are computed from: with the KL in the reward, r − β·Σ_t KL_t per rollout
    /// (every row is trained then: a reference policy turns skipping off); else the task's rewards.</summary>
    double[] ShapedRewards(
        IReadOnlyList<double> rewards,
        IReadOnlyList<(Tensor Ids, Tensor Mask)> batches,
        IReadOnlyList<Frozen> frozen
    )
    {
        var shaped = rewards.ToArray();
        if (Reference is null || options.Policy.Placement != KlPlacement.Reward)
            return shaped;
        int row = 0;
        for (int m = 0; m < batches.Count; m++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var current = frozen[m].Old ?? Logprobs(policy.Network, batches[m].Ids);
            foreach (var k in KlTerm.ForReward(current, frozen[m].Reference!, batches[m].Mask, options.Policy))
                shaped[row++] -= k;
        }
        return shaped;
    }

    /// <summary>μ epochs over the micro-batches; gradients add up over a step's micro-batches, then one clipped
    /// AdamW step per epoch.</summary>
    (LossSums Sums, double GradNorm, double LearningRate) Optimise(
        IReadOnlyList<(Tensor Ids, Tensor Mask)> batches,
        IReadOnlyList<Tensor?> behaviours,
        IReadOnlyList<Frozen> frozen,
        double[] rowAdvantages,
        double normalizer,
        int step
    )
    {
        var sums = new LossSums();
        double gradNorm = 0,
            lr = 0;
        policy.Network.train();
        for (int epoch = 0; epoch < options.UpdatesPerBatch; epoch++)
        {
            int row = 0;
            for (int m = 0; m < batches.Count; m++)
            {
                using var scope = NewDisposeScope();
                var (ids, mask) = batches[m];
                int count = (int)ids.shape[0];
                var (lp, entropy) = TokenLogprobs.ComputeWithEntropy(
                    policy.Network,
                    ids,
                    null,
                    options.Temperature,
                    options.LogitsChunk(Config.VocabSize)
                );
                var adv = tensor(rowAdvantages.Skip(row).Take(count).ToArray(), device: policy.Network.Device)
                    .to(lp.dtype);
                row += count;
                var old = frozen[m].Old ?? lp.detach();
                var (weights, capped) = behaviours[m] is { } mu
                    ? OffPolicy.Weights(old, mu, mask, options.Policy)
                    : (null, 0);
                var batch = new PolicyBatch(lp, old, frozen[m].Reference, mask, adv, normalizer, weights);
                var result = algorithm.Loss(batch, options.Policy);
                result.Loss.backward();
                float tokens = mask.sum().item<float>();
                sums.Add(result, PolicyMath.MaskedMean(entropy, mask), tokens);
                if (epoch == 0 && behaviours[m] is { } behaviour)
                    sums.AddMismatch(OffPolicy.Mismatch(old, behaviour, mask), capped, tokens);
            }
            using (var scope = NewDisposeScope())
                gradNorm = nn.utils.clip_grad_norm_(optimizer.Parameters, options.MaxGradNorm);
            lr = LearningRateSchedule.WarmupConstant(step, options.WarmupSteps, options.LearningRate);
            optimizer.Update(lr);
            optimizer.ZeroGrad();
        }
        return (sums, gradNorm, lr);
    }

    /// <summary>Token-weighted sums of what the micro-batches report.</summary>
    sealed class LossSums
    {
        public double Loss,
            Kl,
            Entropy,
            Clip,
            Ratio,
            Tokens;

        public double MismatchAbs,
            MismatchKl,
            Capped,
            MismatchTokens;

        public void AddMismatch((double MeanAbsDiff, double Kl) mismatch, double capped, double tokens)
        {
            MismatchAbs += mismatch.MeanAbsDiff * tokens;
            MismatchKl += mismatch.Kl * tokens;
            Capped += capped * tokens;
            MismatchTokens += tokens;
        }

        public void Add(PolicyLoss result, double entropy, double tokens)
        {
            Loss += result.Loss.to(ScalarType.Float64).item<double>();
            Kl += result.Kl * tokens;
            Clip += result.ClipFraction * tokens;
            Ratio += result.RatioMean * tokens;
            Entropy += entropy * tokens;
            Tokens += tokens;
        }
    }

    /// <summary>The update's FLOPs: a forward of every trained row for the reference (β &gt; 0) and for the sampling
    /// policy's log-probs (μ &gt; 1), then a forward and backward per epoch. The policy forward that the KL in the
    /// reward needs when μ = 1 is not counted.</summary>
    double Flops(IReadOnlyList<Rollout> rows)
    {
        double forward = SequenceFlops(rows, Model.Flops.ForwardPerToken);
        double flops = 0;
        if (Reference is not null)
            flops += forward;
        if (options.UpdatesPerBatch > 1)
            flops += forward;
        for (int epoch = 0; epoch < options.UpdatesPerBatch; epoch++)
            flops += SequenceFlops(rows, Model.Flops.TrainPerToken);
        return flops;
    }

    double SequenceFlops(IReadOnlyList<Rollout> rows, Func<ModelConfig, double, double> perToken) =>
        rows.Sum(r =>
        {
            int t = SequenceLength(r);
            return t * perToken(Config, t);
        });

    static int SequenceLength(Rollout r) => r.Completion.PromptIds.Count + r.Completion.TokenIds.Count;
}
