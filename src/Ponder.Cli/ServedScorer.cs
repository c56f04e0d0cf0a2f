using Ponder.LanguageModels;
using Ponder.Scoring;

namespace Ponder.Cli;

/// <summary>The scorer <c>ponder serve --scorer</c> loads for the best-of-n and weighted strategies: an outcome
/// scorer scores a whole completion, a process scorer aggregates its step scores. Request threads call
/// <see cref="Score"/> at once, so it runs one call at a time. Owns the model.</summary>
sealed class ServedScorer : IDisposable
{
    readonly Lock gate = new();
    readonly ScorerModel? outcome;
    readonly ProcessScorer? process;

    ServedScorer(ScorerModel? outcome, ProcessScorer? process) => (this.outcome, this.process) = (outcome, process);

    public static ServedScorer Load(string dir, LanguageModel policy, Runtime.DeviceOptions device) =>
        ScorerInfo.Load(dir).Kind == ProcessScorer.Kind
            ? new ServedScorer(null, ProcessScorer.Load(dir, policy, device))
            : new ServedScorer(ScorerModel.Load(dir, policy, device), null);

    /// <summary>P(correct) of each completion (token ids after the prompt).</summary>
    public double[] Score(IReadOnlyList<int> prompt, IReadOnlyList<IReadOnlyList<int>> completions)
    {
        lock (gate)
        {
            if (process is not null)
                return process.Score(prompt, completions);
            int max = outcome!.Info.MaxLength;
            return outcome.Score([.. completions.Select((c, i) => ScorerBatch.Example("", prompt, c, false, max))]);
        }
    }

    public void Dispose()
    {
        lock (gate) // a scoring call still running after the shutdown grace finishes first
        {
            outcome?.Dispose();
            process?.Dispose();
        }
    }
}
