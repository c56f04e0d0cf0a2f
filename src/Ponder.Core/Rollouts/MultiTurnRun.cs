using System.Text.Json;
using Ponder.Environments;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Tasks;
using Ponder.Text;
using Episode = Ponder.Rollouts.MultiTurnRollouts.Episode;

namespace Ponder.Rollouts;

/// <summary>The loop of <see cref="MultiTurnRollouts.Run"/>: rows on the engine, episodes' environment steps on
/// threads of their own, continuations joining the engine as their observations arrive.</summary>
sealed class MultiTurnRun(
    LanguageModel lm,
    PromptFormat format,
    ToolCallFormat toolFormat,
    IReadOnlyDictionary<string, JsonElement>? variables,
    SamplingOptions options,
    MultiTurnOptions turns,
    IProgress<int>? progress
) : IDecodeListener
{
    readonly RowSettings settings = RowSettings.From(options);
    readonly LinkedList<(Episode Episode, DecodeRow Row)> ready = new();
    readonly Dictionary<DecodeRow, Episode> running = [];
    readonly List<DecodeRow> ended = [];
    readonly List<Acting> acting = [];
    int finished;

    /// <summary>An episode whose environment is acting on its last turn.</summary>
    sealed record Acting(Episode Episode, Task<EnvironmentStep> Step, string Answer);

    public void All(IReadOnlyList<Episode> episodes)
    {
        if (episodes.Count == 0)
            return;
        foreach (var e in episodes)
            ready.AddLast((e, Row(e, e.Prompt, options.MaxNewTokens)));
        using var engine = new DecodeEngine(
            lm.Network,
            lm.Tokenizer,
            lm.StopTokenIds,
            slots: Math.Min(options.MaxBatchSize, episodes.Count),
            capacity: episodes.Max(e => e.Prompt.Length) + options.MaxNewTokens,
            thinkStart: format.ThinkStartId,
            thinkEnd: format.ThinkEndId
        );
        while (finished < episodes.Count)
        {
            while (ready.Count > 0 && engine.HasRoom)
            {
                var (episode, row) = ready.First!.Value;
                ready.RemoveFirst();
                running[row] = episode;
                engine.Add(row);
            }
            if (engine.Count > 0)
                engine.Step();
            else if (acting.Count > 0)
                Task.WaitAny([.. acting.Select(a => a.Step)], TimeSpan.FromMilliseconds(200));
            foreach (var row in ended)
                EndTurn(running[row], row, engine.Stops);
            ended.Clear();
            foreach (var act in acting.Where(a => a.Step.IsCompleted).ToList())
            {
                acting.Remove(act);
                Observe(act);
            }
        }
    }

    DecodeRow Row(Episode e, int[] context, int budget)
    {
        bool open = DecodeRow.ReasoningOpens(context, format.ThinkStartId, format.ThinkEndId);
        return new DecodeRow(context, settings with { MaxNewTokens = budget }, e.Rng, open, this);
    }

    public void Emitted(DecodeRow row, int token) { }

    public void Ended(DecodeRow row) => ended.Add(row);

    /// <summary>A turn ended: keep its tokens, then end the episode (the turn was cut off or never answered) or let
    /// the environment act on it.</summary>
    void EndTurn(Episode e, DecodeRow row, StopRule stops)
    {
        running.Remove(row);
        int offset = e.Tokens.Count;
        e.Append(row.Tokens, row.Logprobs, fromEnvironment: false);
        e.ModelTokens += row.Tokens.Count;
        e.Turns++;
        if (row.ReasoningOpen)
            e.ReasoningTokens += row.ReasoningEnd is int end ? end + 1 : row.Tokens.Count;
        if (row.ReasoningEnd is int close)
            e.LastReasoningEnd = offset + close;
        var (reasoning, answer, closed) = format.SplitReasoning(stops.Text(row), row.ReasoningOpen);
        e.Reasoning.Add(reasoning);
        if (row.Finish != FinishReason.Stop || !closed)
        {
            Finish(e, Grade.NoAnswer, answer, row.Finish ?? FinishReason.Length, wellFormed: false);
            return;
        }
        var calls = ToolCalls.Parse(answer, toolFormat).Calls;
        e.Calls += calls.Count;
        bool last = e.Turns >= turns.MaxTurns || e.ModelTokens >= options.MaxNewTokens;
        var step = Task.Factory.StartNew(
            () => e.Env.Act(new ModelTurn(answer, calls), last),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default
        );
        acting.Add(new Acting(e, step, answer));
    }

    /// <summary>The environment answered a turn: end the episode with its grade, or append its observation and queue
    /// the next turn (first, so episodes under way finish before new ones start).</summary>
    void Observe(Acting act)
    {
        var e = act.Episode;
        if (act.Step.IsFaulted)
        {
            var error = act.Step.Exception!.GetBaseException();
            var grade = new Grade(false, null) { Error = $"{error.GetType().Name}: {error.Message}" };
            Finish(e, grade, act.Answer, FinishReason.Stop, wellFormed: false);
            return;
        }
        var step = act.Step.Result;
        if (step.Done)
        {
            var grade = step.Grade ?? new Grade(step.Reward > 0, null) { Score = step.Reward };
            Finish(e, grade, act.Answer, FinishReason.Stop, wellFormed: act.Answer.Trim().Length > 0);
            return;
        }
        var observation = format.ToolResultTokens(step.Observation, variables);
        int room = lm.Config.MaxPositionEmbeddings - e.Prompt.Length - e.Tokens.Count - observation.Length;
        int budget = Math.Min(options.MaxNewTokens - e.ModelTokens, room);
        if (budget <= 0 || e.Turns >= turns.MaxTurns)
        {
            // No room for another turn (or an environment that went on past the last): the results are not kept,
            // so the sequence never outgrows the model's context.
            Finish(e, Grade.NoAnswer, act.Answer, FinishReason.Length, wellFormed: false);
            return;
        }
        e.Append(observation, null, fromEnvironment: true);
        ready.AddFirst((e, Row(e, e.Context, budget)));
    }

    void Finish(Episode e, Grade grade, string answer, FinishReason finish, bool wellFormed)
    {
        var completion = new Completion(
            e.PromptIndex,
            e.SampleIndex,
            e.Prompt,
            [.. e.Tokens],
            [.. e.Logprobs],
            lm.Tokenizer.Decode(e.Tokens),
            finish,
            e.LastReasoningEnd,
            FromEnvironment: [.. e.FromEnvironment]
        );
        e.Result = new Rollout(
            e.Problem,
            completion,
            string.Join("\n", e.Reasoning),
            answer,
            grade,
            e.ReasoningTokens,
            e.ModelTokens - e.ReasoningTokens,
            wellFormed
        )
        {
            Turns = e.Turns,
            ToolCalls = e.Calls,
        };
        finished++;
        progress?.Report(1);
    }
}
