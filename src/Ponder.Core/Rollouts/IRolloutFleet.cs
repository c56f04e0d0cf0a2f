using Ponder.Generation;
using Ponder.LanguageModels;

namespace Ponder.Rollouts;

/// <summary>
/// Where RL samples its rollouts when not with the trainer's own engine: a fleet of inference servers (vLLM, SGLang,
/// <c>ponder serve</c>), reached by an adapter at the edge (Ponder.Clients). The trainer stays on its tensor thread and
/// calls these synchronously; how requests travel, fail over and are retried is the fleet's business.
/// </summary>
public interface IRolloutFleet : IDisposable
{
    /// <summary>
    /// <see cref="SamplingOptions.N"/> completions of each prompt (rendered token ids), exactly as
    /// <see cref="BatchGenerator.Generate"/> returns them: token ids with the stop token, the sampling distribution's
    /// log-probabilities (the behaviour policy), text, finish and reasoning end. Throws <see cref="PonderException"/>
    /// when no replica can serve.
    /// </summary>
    IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options);

    /// <summary>Pushes <paramref name="policy"/>'s weights (version <paramref name="version"/>, the trainer's step) to
    /// every replica and checks that each then serves them; throws <see cref="PonderException"/> when none
    /// does.</summary>
    void Sync(LanguageModel policy, int version);

    /// <summary>What happened since the last call (requests retried, replicas lost, sync time, probe mismatch), as
    /// metric name → value.</summary>
    IReadOnlyDictionary<string, double> TakeMetrics();
}
