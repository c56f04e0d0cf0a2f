using Ponder.Evaluation;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Rollouts;
using Ponder.Scoring;
using Ponder.Tasks;

namespace Ponder.TestTime;

/// <summary>Which step-level search (search-and-learn's names).</summary>
public enum TreeSearchKind
{
    /// <summary>Beam search: N paths; each round every kept path is expanded M times, and the N/M best unfinished
    /// children (by aggregated step score, across the whole problem) are kept.</summary>
    Beam,

    /// <summary>Diverse verifier tree search: N/M independent subtrees, each keeping only its best of M children per
    /// round, so the subtrees cannot collapse onto one line of reasoning.</summary>
    Dvts,
}

/// <summary>One problem's search: its finished paths graded and what the search spent.</summary>
/// <param name="Tokens">Tokens generated, pruned paths included.</param>
/// <param name="Flops">Forward FLOPs of the policy and the process scorer (see <see cref="TreeSearch"/>).</param>
public sealed record SearchOutcome(
    Problem Problem,
    IReadOnlyList<Rollout> Finished,
    IReadOnlyList<double> Scores,
    bool Correct,
    double Tokens,
    double Flops
);

/// <summary>
/// PRM-guided search (search-and-learn; Snell et al. 2024) as a loop over <see cref="StepExpansion"/>: expand, score
/// each child's newest step with the process scorer, keep the best, until N paths have finished (beam) or every
/// subtree has (DVTS). The answer is the PRM-weighted majority of the finished paths (each path weighs its aggregated
/// step score). Every problem searches at once, so each round is one batched engine run.
/// <para>Compute is counted by the rule sampling's is (<see cref="ScalingSweep"/>): each of the N paths pays its
/// prompt's prefill, by the policy and by the scorer, as N independent samples do; then every generated token's
/// forward at its context, by both — the scorer reads each new step once, its prefix cached, as a prefix-caching
/// engine (vLLM, SGLang) would. This implementation re-reads the prefixes it scores, so its wall-clock time is
/// higher than the count; the count is what the comparison with sampling is about.</para>
/// </summary>
public static class TreeSearch
{
    public static IReadOnlyList<SearchOutcome> Run(
        LanguageModel lm,
        ProcessScorer prm,
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        IReadOnlyList<IReadOnlyList<int>> prompts,
        TreeSearchKind kind,
        int n,
        int beamWidth,
        StepSettings settings
    )
    {
        if (n < 1 || beamWidth < 1 || n % beamWidth != 0)
            throw new PonderException($"N={n} with --beam-width {beamWidth}: N must be a positive multiple of it.");
        var state = problems.Select((p, i) => new ProblemSearch(prompts[i], n / beamWidth, n)).ToArray();
        while (state.Any(s => !s.Done))
        {
            var requests = new List<(int Problem, int Subtree, StepRequest Request)>();
            foreach (var (s, p) in state.Select((s, p) => (s, p)).Where(x => !x.s.Done))
            {
                for (int j = 0; j < s.Kept.Count; j++)
                {
                    if (s.Kept[j] is SearchPath path)
                        requests.Add((p, j, new StepRequest(s.Prompt, path, beamWidth, j * beamWidth)));
                }
            }
            var children = StepExpansion.Expand(lm, [.. requests.Select(r => r.Request)], settings);
            var scored = Score(prm, requests.Select(r => r.Request).ToArray(), children);
            for (int q = 0; q < requests.Count; q++)
                state[requests[q].Problem].Count(lm.Config, prm.Model.Body.Config, requests[q].Request.Path, scored[q]);
            foreach (var (s, p) in state.Select((s, p) => (s, p)).Where(x => !x.s.Done))
            {
                var mine = requests.Select((r, q) => (r, q)).Where(x => x.r.Problem == p).ToArray();
                if (kind == TreeSearchKind.Beam)
                    s.KeepBeam([.. mine.SelectMany(x => scored[x.q])], n, prm.Aggregation);
                else
                    s.KeepSubtrees([.. mine.Select(x => (x.r.Subtree, scored[x.q]))], prm.Aggregation);
            }
        }
        return [.. problems.Select((p, i) => state[i].Outcome(lm, task, p, prm.Aggregation))];
    }

    /// <summary>Each child with its newest step's score appended.</summary>
    static IReadOnlyList<SearchPath>[] Score(
        ProcessScorer prm,
        StepRequest[] requests,
        IReadOnlyList<IReadOnlyList<SearchPath>> children
    )
    {
        var flat = requests.SelectMany((r, q) => children[q].Select(c => (r.Prompt, Child: c))).ToArray();
        int max = prm.Model.Info.MaxLength;
        var sequences = flat.Select(x =>
            {
                // the scorer's window, as it was trained: the front cut away when longer
                var ids = ScorerBatch.Input(x.Prompt, x.Child.Tokens, max);
                int shift = x.Prompt.Count - (x.Prompt.Count + x.Child.Tokens.Length - ids.Length);
                int[] ends = [.. x.Child.StepEnds.TakeLast(2).Select(e => shift + e).Where(e => e >= 1)];
                return (Ids: ids, Start: Math.Max(0, shift), Ends: ends.Length > 0 ? ends : [ids.Length - 1]);
            })
            .ToArray();
        var steps = prm.StepScores(sequences);
        var result = new IReadOnlyList<SearchPath>[requests.Length];
        int at = 0;
        for (int q = 0; q < requests.Length; q++)
        {
            result[q] = [.. children[q].Select(c => c with { StepScores = [.. c.StepScores, steps[at++][^1]] })];
        }
        return result;
    }

    /// <summary>One problem's search state.</summary>
    sealed class ProblemSearch(IReadOnlyList<int> prompt, int subtrees, int paths)
    {
        public IReadOnlyList<int> Prompt { get; } = prompt;

        /// <summary>The paths to expand next (DVTS: one per subtree, null once the subtree finished).</summary>
        public List<SearchPath?> Kept { get; private set; } =
        [.. Enumerable.Repeat<SearchPath?>(SearchPath.Empty, subtrees)];
        public List<SearchPath> Finished { get; } = [];
        public double Tokens { get; private set; }
        public double Flops { get; private set; }
        public bool Done => Kept.All(k => k is null);
        bool counted;

        /// <summary>Adds the compute of expanding <paramref name="parent"/> into <paramref name="children"/>.</summary>
        public void Count(ModelConfig policy, ModelConfig scorer, SearchPath parent, IReadOnlyList<SearchPath> children)
        {
            if (!counted) // the prompt, once per path as sampling counts it once per sample, by each model
            {
                Flops +=
                    paths
                    * (
                        TestTimeCompute.ScoringFlops(policy, Prompt.Count)
                        + TestTimeCompute.ScoringFlops(scorer, Prompt.Count)
                    );
                counted = true;
            }
            foreach (var c in children)
            {
                int added = c.Tokens.Length - parent.Tokens.Length;
                double context = Prompt.Count + parent.Tokens.Length + (added + 1) / 2.0;
                Tokens += added;
                Flops += added * (Flops_(policy, context) + Flops_(scorer, context));
            }
        }

        static double Flops_(ModelConfig c, double context) => Model.Flops.ForwardPerToken(c, context);

        public void KeepBeam(IReadOnlyList<SearchPath> children, int n, StepAggregation aggregation)
        {
            Finished.AddRange(children.Where(c => c.Finished));
            var open = children
                .Where(c => !c.Finished)
                .Select((c, i) => (c, i))
                .OrderByDescending(x => StepAggregations.Apply(aggregation, x.c.StepScores))
                .ThenBy(x => x.i)
                .Take(Kept.Count)
                .Select(x => (SearchPath?)x.c)
                .ToList();
            Kept = Finished.Count >= n || open.Count == 0 ? [null] : open;
        }

        public void KeepSubtrees(
            IReadOnlyList<(int Subtree, IReadOnlyList<SearchPath> Children)> expanded,
            StepAggregation aggregation
        )
        {
            foreach (var (j, children) in expanded)
            {
                var best = children
                    .Select((c, i) => (c, i))
                    .OrderByDescending(x => StepAggregations.Apply(aggregation, x.c.StepScores))
                    .ThenBy(x => x.i)
                    .First()
                    .c;
                if (best.Finished)
                    Finished.Add(best);
                Kept[j] = best.Finished ? null : best;
            }
        }

        public SearchOutcome Outcome(
            LanguageModel lm,
            IReasoningTask task,
            Problem problem,
            StepAggregation aggregation
        )
        {
            // beam can finish more than N paths in its last round: the N best by score vote, as search-and-learn keeps
            var voters = Finished
                .Select((f, i) => (f, i, Score: StepAggregations.Apply(aggregation, f.StepScores)))
                .OrderByDescending(x => x.Score)
                .ThenBy(x => x.i)
                .Take(paths)
                .OrderBy(x => x.i)
                .ToArray();
            var rollouts = LocalRollouts.GradeAll(
                task,
                [.. voters.Select((v, i) => Completion(lm, v.f, i))],
                _ => problem
            );
            var scores = voters.Select(v => v.Score).ToArray();
            var graded = rollouts
                .Select((r, i) => new GradedSample(problem.Id, i, r.Grade.Canonical, r.Grade.Correct, scores[i]))
                .ToArray();
            bool correct = Metrics.WeightedVote(graded)?.Correct ?? false;
            return new SearchOutcome(problem, rollouts, scores, correct, Tokens, Flops);
        }

        Completion Completion(LanguageModel lm, SearchPath path, int index)
        {
            var ids =
                path.Tokens.Length > 0 && lm.StopTokenIds.Contains(path.Tokens[^1]) ? path.Tokens[..^1] : path.Tokens;
            return new Completion(
                0,
                index,
                Prompt,
                path.Tokens,
                [],
                lm.Tokenizer.Decode(ids),
                path.Tokens.Length > 0 && lm.StopTokenIds.Contains(path.Tokens[^1])
                    ? FinishReason.Stop
                    : FinishReason.Length,
                path.ReasoningEnd,
                path.BudgetCut
            );
        }
    }
}
