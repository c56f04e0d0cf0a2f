using Ponder.Generation;

namespace Ponder.Serving;

/// <summary>
/// One sequence to generate, as plain data (it crosses from async request handlers to the inference thread).
/// The prompt opens the reasoning (the chat template's generation prompt ends with <c>&lt;think&gt;\n</c>) unless
/// <see cref="ReasoningOpen"/> says otherwise. </summary>
public sealed record GenerationRequest
{
    /// <summary>The rendered prompt's token ids.</summary>
    public required IReadOnlyList<int> PromptIds { get; init; }

    /// <summary>Softmax temperature; 0 is greedy. <value>The default value is 1.0.</value> Range [0, 2] as
    /// OpenAI.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus mass. <value>The default value is 1.0 (off).</value> Range (0, 1].</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the K most likely tokens (vLLM's <c>top_k</c>). <value>The default value is 0
    /// (off).</value> 0 or positive; −1 also means off, as in vLLM.</summary>
    public int TopK { get; init; }

    /// <summary>Drop tokens below MinP times the best token's probability (vLLM's <c>min_p</c>). <value>The default
    /// value is 0 (off).</value> Range [0, 1].</summary>
    public double MinP { get; init; }

    /// <summary>Subtracted from a token's logit once per time this sequence has generated it (OpenAI's
    /// <c>frequency_penalty</c>). Every generated token counts, reasoning included, as vLLM counts its output tokens:
    /// the reasoning is text the model wrote and reads back, so a penalty against repeating it belongs there too.
    /// <value>The default value is 0 (off).</value> Range [−2, 2].</summary>
    public double FrequencyPenalty { get; init; }

    /// <summary>Subtracted once from the logit of every token this sequence has generated (OpenAI's
    /// <c>presence_penalty</c>; counted as <see cref="FrequencyPenalty"/>). <value>The default value is 0
    /// (off).</value> Range [−2, 2].</summary>
    public double PresencePenalty { get; init; }

    /// <summary>Token id → added to its logit at every step (OpenAI's <c>logit_bias</c>). <value>The default value
    /// is empty.</value> Ids must be the tokenizer's; biases in [−100, 100].</summary>
    public IReadOnlyDictionary<int, double> LogitBias { get; init; } = LogitAdjustment.None.Bias;

    /// <summary>Tokens to generate at most, reasoning and answer together. <value>The default value is
    /// 256.</value></summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Seed of this sequence's random stream (null: a fresh random seed). <value>The default value is
    /// null.</value></summary>
    public long? Seed { get; init; }

    /// <summary>Which stream of the seed to draw from: choice j of an <c>n</c>-choice request uses j, exactly as
    /// <see cref="Generation.BatchGenerator"/> numbers its samples. <value>The default value is 0.</value></summary>
    public int SampleIndex { get; init; }

    /// <summary>Strings that end the answer; the answer is cut before the first. <value>The default value is
    /// empty.</value></summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Reasoning tokens at most before the reasoning is closed for the model (null: no limit).
    /// <value>The default value is null.</value></summary>
    public int? MaxThinkingTokens { get; init; }

    /// <summary>Whether the prompt ends inside an open think block (<see cref="Text.RenderedPrompt.ReasoningOpen"/>).
    /// False: everything generated is answer, think markers are never generated and a thinking budget does not
    /// apply (as vLLM ignores reasoning effort for models that do not reason). Also false whenever the model's
    /// format has no <c>&lt;/think&gt;</c>. <value>The default value is true.</value></summary>
    public bool ReasoningOpen { get; init; } = true;

    /// <summary>Log-probabilities of the answer's tokens under the model's own distribution, each with this many of the
    /// most likely tokens (OpenAI's <c>top_logprobs</c>): null sends none, 0 to
    /// <see cref="ModelLogprobs.MaxTop"/>. They ride on the answer deltas (<see cref="TextDelta.Logprobs"/>).
    /// <value>The default value is null.</value></summary>
    public int? TopLogprobs { get; init; }

    /// <summary>Text the answer must begin with (<see cref="RowSettings.AnswerPrefix"/>): a forced function call's
    /// opening. <value>The default value is null (none).</value></summary>
    public string? AnswerPrefix { get; init; }

    /// <summary>A label for logs (the HTTP request id). <value>The default value is empty.</value></summary>
    public string Id { get; init; } = "";
}
