namespace Ponder.Generation;

/// <summary>Why a completion ended: a stop token or string (<c>stop</c>), or the token limit (<c>length</c>).</summary>
public enum FinishReason
{
    Stop,
    Length,
}

/// <summary>One sampled completion, with everything RL and evaluation need.</summary>
/// <param name="PromptIndex">Which prompt of the request.</param>
/// <param name="SampleIndex">Which of its N samples.</param>
/// <param name="PromptIds">The prompt's token ids (no padding).</param>
/// <param name="TokenIds">Generated ids, including the stop token when one ended it.</param>
/// <param name="Logprobs">Per generated token: log-probability under the sampling distribution (logits / temperature,
/// before top-k/top-p truncation; plain log-softmax when greedy).</param>
/// <param name="Text">Decoded generated text without the final stop token, cut before a stop string.</param>
/// <param name="Finish">stop or length.</param>
/// <param name="ReasoningEnd">Index in <paramref name="TokenIds"/> of the last end-of-thinking token (after a budget
/// cut the model may close its reasoning once more itself), or null when the reasoning never closed.</param>
/// <param name="BudgetCut">The thinking budget ran out and the generator closed the reasoning.</param>
/// <param name="Extensions">Times budget forcing suppressed the end of thinking.</param>
/// <param name="TokenConfidence">Per generated token, when <see cref="SamplingOptions.ConfidenceTopK"/> asks (else
/// null): DeepConf's token confidence, minus the mean log-probability of the model's k most likely tokens there (high
/// when the distribution is peaked).</param>
/// <param name="FromEnvironment">For a multi-turn rollout, per token of <paramref name="TokenIds"/>: true where the
/// environment appended it (tool results and the template's turns around them; their log-probs are 0). Null: every
/// token is the model's.</param>
public sealed record Completion(
    int PromptIndex,
    int SampleIndex,
    IReadOnlyList<int> PromptIds,
    IReadOnlyList<int> TokenIds,
    IReadOnlyList<float> Logprobs,
    string Text,
    FinishReason Finish,
    int? ReasoningEnd,
    bool BudgetCut = false,
    int Extensions = 0,
    IReadOnlyList<float>? TokenConfidence = null,
    IReadOnlyList<bool>? FromEnvironment = null
)
{
    /// <summary>Whether generated token i came from the model (true) or from an environment it called, a tool result
    /// a multi-turn rollout appended (false): only the model's tokens are trained on.</summary>
    public bool IsModelToken(int i) => FromEnvironment is null || !FromEnvironment[i];

    /// <summary>Tokens the model generated: all of them, less any an environment appended.</summary>
    public int ModelTokens => FromEnvironment is null ? TokenIds.Count : FromEnvironment.Count(e => !e);

    /// <summary>Tokens of the reasoning, up to and including the end-of-thinking token (all of them if it never
    /// closed).</summary>
    public int ReasoningTokens => ReasoningEnd is int end ? end + 1 : TokenIds.Count;

    /// <summary>Tokens after the reasoning: the answer, including the stop token.</summary>
    public int AnswerTokens => TokenIds.Count - ReasoningTokens;

    public string FinishReasonText => Finish == FinishReason.Stop ? "stop" : "length";
}
