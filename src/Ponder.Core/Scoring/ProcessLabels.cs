using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Rollouts;
using Ponder.Tasks;

namespace Ponder.Scoring;

/// <summary>How Math-Shepherd labels are drawn. Immutable; <see cref="Validate"/> says what to change.</summary>
/// <param name="RolloutsPerStep">Completions continued from each step prefix (Math-Shepherd's N). <value>The default
/// value is 4.</value></param>
/// <param name="MaxNewTokens">Tokens per continuation at most. <value>The default value is 512.</value></param>
/// <param name="Seed">Sampling seed. <value>The default value is 0.</value></param>
/// <param name="MaxThinkingTokens">The thinking budget the completions were sampled with: a continuation gets what
/// its prefix left of it. <value>The default value is null (none).</value></param>
public sealed record ProcessLabelOptions(
    int RolloutsPerStep = 4,
    int MaxNewTokens = 512,
    long Seed = 0,
    int? MaxThinkingTokens = null
)
{
    public ProcessLabelOptions Validate()
    {
        if (RolloutsPerStep < 1)
            throw new PonderException($"--rollouts-per-step {RolloutsPerStep} must be at least 1, e.g. 4.");
        if (MaxNewTokens < 1)
            throw new PonderException($"--max-tokens {MaxNewTokens} must be at least 1.");
        return this;
    }
}

/// <summary>
/// Math-Shepherd's automatic process labels: split each graded completion into steps
/// (<see cref="ReasoningSteps"/>), continue it <see cref="ProcessLabelOptions.RolloutsPerStep"/> times from every
/// step's end with the policy at temperature 1 (the engine's batched sampling; continuations of one prefix share its
/// prefill), and grade the continuations with the task's one grader. No human labels a step. A continuation may
/// generate <see cref="ProcessLabelOptions.MaxNewTokens"/> tokens (as much as the context leaves), and think for what
/// its prefix left of the budget.
/// </summary>
public static class ProcessLabels
{
    public static IReadOnlyList<ProcessExample> Label(
        LanguageModel policy,
        IReasoningTask task,
        IReadOnlyList<Rollout> rollouts,
        string separator,
        ProcessLabelOptions options,
        int maxLength,
        IProgress<int>? progress = null
    )
    {
        options.Validate();
        var split = rollouts.Select(r => Ends(policy, r, separator)).ToArray();
        var prefixes = new List<IReadOnlyList<int>>();
        var owners = new List<(int Rollout, int Step)>();
        for (int i = 0; i < rollouts.Count; i++)
        {
            for (int k = 0; k < split[i].Length - 1; k++) // the last step's label is the completion's own grade
            {
                prefixes.Add([
                    .. rollouts[i].Completion.PromptIds,
                    .. rollouts[i].Completion.TokenIds.Take(split[i][k] + 1),
                ]);
                owners.Add((i, k));
            }
        }
        var continued = Continue(policy, prefixes, [.. owners.Select(o => split[o.Rollout][o.Step] + 1)], options);
        progress?.Report(continued.Count);
        var soft = split.Select((e, i) => new double[e.Length]).ToArray();
        for (int i = 0; i < rollouts.Count; i++)
            soft[i][^1] = rollouts[i].Grade.Correct ? 1 : 0;
        var graded = LocalRollouts.GradeAll(
            task,
            continued,
            j => rollouts[owners[continued[j].PromptIndex].Rollout].Problem
        );
        foreach (var (c, g) in continued.Zip(graded))
        {
            var (i, k) = owners[c.PromptIndex];
            if (g.Grade.Correct)
                soft[i][k] += 1.0 / options.RolloutsPerStep;
        }
        return [.. rollouts.Select((r, i) => Example(policy, task, r, split[i], soft[i], maxLength))];
    }

    /// <summary>K continuations of each prefix, each with its own limits: the token limit (as much as the context
    /// leaves) and what the prefix's <paramref name="reasoning"/> tokens left of the thinking budget.</summary>
    static IReadOnlyList<Completion> Continue(
        LanguageModel policy,
        List<IReadOnlyList<int>> prefixes,
        int[] reasoning,
        ProcessLabelOptions options
    )
    {
        var rows = new List<(int Prefix, DecodeRow Row)>();
        for (int q = 0; q < prefixes.Count; q++)
        {
            var settings = new RowSettings
            {
                MaxNewTokens = Math.Min(options.MaxNewTokens, policy.Config.MaxPositionEmbeddings - prefixes[q].Count),
                MaxThinkingTokens = options.MaxThinkingTokens is int b ? Math.Max(0, b - reasoning[q]) : null,
            };
            if (settings.MaxNewTokens < 1)
                continue; // no room left: no continuation reaches an answer
            for (int c = 0; c < options.RolloutsPerStep; c++)
            {
                var rng = new Random(SampleSeeds.For(options.Seed, prefixes[q], c));
                rows.Add((q, new DecodeRow(prefixes[q], settings, rng, reasoningOpen: true)));
            }
        }
        policy.CreateGenerator().Run([.. rows.Select(r => r.Row)], new SamplingOptions().MaxBatchSize);
        var stops = new StopRule(
            policy.Tokenizer,
            policy.StopTokenIds.ToHashSet(),
            policy.Chat?.ThinkStartId,
            policy.Chat?.ThinkEndId
        );
        return [.. rows.Select(r => BatchGenerator.Completion(r.Row, r.Prefix, 0, stops))];
    }

    /// <summary>Each step's last token in the completion: the separators' ends within the reasoning (before its
    /// close), then the completion's last token.</summary>
    internal static int[] Ends(LanguageModel policy, Rollout r, string separator) =>
        Ends(policy, r.Completion.TokenIds, r.Completion.ReasoningEnd, separator);

    /// <inheritdoc cref="Ends(LanguageModel, Rollout, string)"/>
    internal static int[] Ends(LanguageModel policy, IReadOnlyList<int> tokens, int? reasoningEnd, string separator)
    {
        int reasoning = reasoningEnd ?? tokens.Count;
        var ends = ReasoningSteps.Ends(policy.Tokenizer, tokens, reasoning, separator).Where(e => e < tokens.Count - 1);
        return tokens.Count == 0 ? [] : [.. ends, tokens.Count - 1];
    }

    static ProcessExample Example(
        LanguageModel policy,
        IReasoningTask task,
        Rollout r,
        int[] ends,
        double[] soft,
        int maxLength
    )
    {
        var prompt = r.Completion.PromptIds;
        var tokens = r.Completion.TokenIds;
        var ids = ScorerBatch.Input(prompt, tokens, maxLength);
        int dropped = prompt.Count + tokens.Count - ids.Length;
        var rule = new bool?[ends.Length];
        if (task is IStepCheckedTask checker)
        {
            int reasoning = r.Completion.ReasoningEnd ?? tokens.Count;
            for (int k = 0, from = 0; k < ends.Length; from = ends[k] + 1, k++)
            {
                int to = Math.Min(ends[k] + 1, reasoning); // the last step's answer is not reasoning
                var check =
                    to > from
                        ? checker.CheckSteps(r.Problem, policy.Tokenizer.Decode(tokens.Skip(from).Take(to - from)))
                        : default;
                rule[k] = check.Steps == 0 ? null : check.Correct == check.Steps;
            }
        }
        var kept = Enumerable.Range(0, ends.Length).Where(k => prompt.Count + ends[k] - dropped >= 1).ToArray();
        return new ProcessExample(
            r.Problem.Id,
            ids,
            Math.Max(0, prompt.Count - dropped),
            [.. kept.Select(k => prompt.Count + ends[k] - dropped)],
            [.. kept.Select(k => soft[k])],
            r.Grade.Correct,
            [.. kept.Select(k => rule[k])]
        );
    }
}
