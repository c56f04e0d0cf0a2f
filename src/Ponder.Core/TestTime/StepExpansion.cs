using Ponder.Generation;
using Ponder.LanguageModels;
using static TorchSharp.torch;

namespace Ponder.TestTime;

/// <summary>A partial or finished solution of a step-level search: its generated tokens (after the prompt), where
/// its steps end among them, and the process scorer's score of each step.</summary>
/// <param name="Finished">The completion ended (a stop token or the token limit), not at a step's end.</param>
/// <param name="ReasoningEnd">Index in <paramref name="Tokens"/> of the end-of-thinking token, once it closed.</param>
public sealed record SearchPath(
    int[] Tokens,
    int[] StepEnds,
    double[] StepScores,
    bool Finished,
    int? ReasoningEnd,
    bool BudgetCut
)
{
    public static SearchPath Empty { get; } = new([], [], [], false, null, false);
}

/// <summary>How paths grow: the sampling settings and the limits every path shares.</summary>
/// <param name="MaxThinkingTokens">Reasoning tokens a path may spend in all (null: no limit).</param>
/// <param name="MaxNewTokens">Tokens a path may generate in all, reasoning and answer.</param>
/// <param name="Separator">What ends a step (<see cref="Tasks.ReasoningSteps"/>).</param>
public sealed record StepSettings(
    double Temperature,
    double TopP,
    int? MaxThinkingTokens,
    int MaxNewTokens,
    string Separator,
    long Seed,
    int MaxBatchSize = 64
);

/// <summary>One expansion: <paramref name="Count"/> one-step continuations of <paramref name="Path"/> after
/// <paramref name="Prompt"/>, drawing the random streams <paramref name="FirstIndex"/>, … of their prefix.</summary>
public sealed record StepRequest(IReadOnlyList<int> Prompt, SearchPath Path, int Count, int FirstIndex = 0);

/// <summary>
/// The step-expansion primitive every step-level search is built on: continues each path by one reasoning step
/// (the engine ends a row at the step's end, <see cref="RowSettings.StepSeparator"/>), or — once the reasoning
/// closes — to the end of the completion. All requests run as rows of one <see cref="DecodeEngine"/>, so the
/// continuations of one prefix share its prefill and every problem's paths decode in the same batches. A child's
/// stream is <see cref="SampleSeeds.For"/>(seed, prompt + path, index): the same search gives the same tree.
/// </summary>
public static class StepExpansion
{
    /// <summary>The children of each request, in request order.</summary>
    public static IReadOnlyList<IReadOnlyList<SearchPath>> Expand(
        LanguageModel lm,
        IReadOnlyList<StepRequest> requests,
        StepSettings settings
    )
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(requests);
        var rows = new List<(int Request, DecodeRow Row)>();
        foreach (var (request, r) in requests.Select((q, i) => (q, i)))
        {
            if (request.Path.Finished)
                throw new ArgumentException($"request {r}: a finished path has no next step.", nameof(requests));
            int used = request.Path.Tokens.Length;
            var row = new RowSettings
            {
                Temperature = settings.Temperature,
                TopP = settings.TopP,
                MaxNewTokens = settings.MaxNewTokens - used,
                MaxThinkingTokens = settings.MaxThinkingTokens is int t ? Math.Max(0, t - used) : null,
                StepSeparator = settings.Separator,
            };
            int[] prefix = [.. request.Prompt, .. request.Path.Tokens];
            if (!DecodeRow.ReasoningOpens(prefix, lm.Chat?.ThinkStartId, lm.Chat?.ThinkEndId))
            {
                throw new PonderException(
                    $"request {r}: step search needs a prompt that opens the reasoning (<think>); render it with the "
                        + "model's thinking chat template."
                );
            }
            for (int c = 0; c < request.Count; c++)
            {
                var rng = new Random(SampleSeeds.For(settings.Seed, prefix, request.FirstIndex + c));
                rows.Add((r, new DecodeRow(prefix, row, rng, reasoningOpen: true)));
            }
        }
        lm.CreateGenerator().Run([.. rows.Select(x => x.Row)], settings.MaxBatchSize);
        var children = requests.Select(_ => new List<SearchPath>()).ToArray();
        foreach (var (r, row) in rows)
            children[r].Add(Child(requests[r].Path, row, settings.MaxNewTokens));
        return children;
    }

    static SearchPath Child(SearchPath parent, DecodeRow row, int maxNewTokens)
    {
        int at = parent.Tokens.Length;
        int[] tokens = [.. parent.Tokens, .. row.Tokens];
        bool finished = !row.EndedStep || tokens.Length >= maxNewTokens;
        return new SearchPath(
            tokens,
            [.. parent.StepEnds, tokens.Length - 1],
            parent.StepScores,
            finished,
            row.ReasoningEnd is int e ? at + e : parent.ReasoningEnd,
            parent.BudgetCut || row.Thinking.BudgetCut
        );
    }
}
