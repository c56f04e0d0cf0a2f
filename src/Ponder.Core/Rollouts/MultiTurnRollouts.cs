using System.Text.Json;
using Ponder.Environments;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Tasks;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Rollouts;

/// <summary>
/// Multi-turn rollouts on the one decoding engine: each sample is an episode of an <see cref="IEnvironment"/>. The
/// model writes a turn (reasoning, then an answer that may call tools); when the turn ends, the environment acts on it
/// on a thread of its own while the engine keeps decoding every other row; its observation (tool results) is appended
/// to the sequence as tokens of the environment (<see cref="PromptFormat.ToolResultTokens"/>, nothing the model wrote
/// is re-tokenized) and the model continues in a new row, until the environment is done or the turn limit is reached.
/// The sampling options' <c>MaxNewTokens</c> is the model's budget over all turns. The completion holds every token
/// after the first prompt, with <see cref="Completion.FromEnvironment"/> marking the environment's, which training
/// masks out.
/// </summary>
/// <remarks>Deviation from verl/SGLang: a continuation is a new row, so its whole context is prefilled again rather
/// than extending the row's KV cache; with one random stream per episode its tokens are the same either way.</remarks>
public static class MultiTurnRollouts
{
    /// <summary>N episodes per problem (prompt-major, as <see cref="LocalRollouts.Run"/>), graded by the
    /// environment's final step.</summary>
    public static IReadOnlyList<Rollout> Run(
        LanguageModel lm,
        IReasoningTask task,
        IEnvironment environment,
        IReadOnlyList<Problem> problems,
        SamplingOptions options,
        MultiTurnOptions turns,
        IProgress<int>? progress = null
    )
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(problems);
        options.Validate();
        turns.Validate();
        var format =
            lm.Prompt
            ?? throw new PonderException("the model has no chat format, so it cannot hold a multi-turn conversation.");
        var toolFormat =
            format.ToolFormat
            ?? throw new PonderException(
                "the model's chat template has no tools branch, so it cannot be told of tools or write calls; use a "
                    + "model whose template renders tools (ChatML, Qwen2.5/3, Llama 3.1)"
            );
        var variables = turns.DescribeTools ? Variables(environment) : null;
        long seed = options.Seed ?? Random.Shared.NextInt64();
        var episodes = new List<Episode>();
        for (int p = 0; p < problems.Count; p++)
        {
            for (int s = 0; s < options.N; s++)
            {
                var episode = environment.Reset(problems[p]);
                var prompt = format.RenderForGeneration(episode.Observation, variables).Ids.ToArray();
                episodes.Add(
                    new Episode(p, s, problems[p], episode, prompt, new Random(SampleSeeds.For(seed, prompt, s)))
                );
            }
        }
        var run = new MultiTurnRun(lm, format, toolFormat, variables, options, turns, progress);
        using (inference_mode())
            run.All(episodes);
        return [.. episodes.Select(e => e.Result!)];
    }

    static Dictionary<string, JsonElement> Variables(IEnvironment environment) =>
        new(StringComparer.Ordinal) { ["tools"] = JsonSerializer.SerializeToElement(environment.Tools) };

    /// <summary>One sample's conversation so far.</summary>
    internal sealed class Episode(
        int promptIndex,
        int sampleIndex,
        Problem problem,
        IEpisode env,
        int[] prompt,
        Random rng
    )
    {
        public int PromptIndex { get; } = promptIndex;
        public int SampleIndex { get; } = sampleIndex;
        public Problem Problem { get; } = problem;
        public IEpisode Env { get; } = env;
        public int[] Prompt { get; } = prompt;
        public Random Rng { get; } = rng;
        public List<int> Tokens { get; } = [];
        public List<float> Logprobs { get; } = [];
        public List<bool> FromEnvironment { get; } = [];
        public List<string> Reasoning { get; } = [];
        public int ModelTokens { get; set; }
        public int ReasoningTokens { get; set; }
        public int Turns { get; set; }
        public int? LastReasoningEnd { get; set; }
        public int Calls { get; set; }
        public Rollout? Result { get; set; }

        /// <summary>The sequence the next turn continues: the prompt and everything since.</summary>
        public int[] Context => [.. Prompt, .. Tokens];

        public void Append(IReadOnlyList<int> tokens, IReadOnlyList<float>? logprobs, bool fromEnvironment)
        {
            Tokens.AddRange(tokens);
            Logprobs.AddRange(logprobs ?? Enumerable.Repeat(0f, tokens.Count));
            FromEnvironment.AddRange(Enumerable.Repeat(fromEnvironment, tokens.Count));
        }
    }
}
