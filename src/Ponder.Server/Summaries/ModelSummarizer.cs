using Ponder.Serving;
using Ponder.Text;

namespace Ponder.Server.Summaries;

/// <summary>
/// For instruction models: the served model itself, asked (greedy, no thinking) to summarise the reasoning in a few
/// sentences without quoting it. Falls back to <see cref="FactualSummarizer"/> when the reply is empty.
/// </summary>
public sealed class ModelSummarizer(InferenceEngine engine, int maxTokens = 128) : IReasoningSummarizer
{
    const string Instruction =
        "Summarise the following reasoning in at most three short sentences for the user. Describe the "
        + "approach and the conclusion; do not quote it.";
    readonly FactualSummarizer fallback = new();

    public async Task<string> SummarizeAsync(string reasoning, int reasoningTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var rendered = engine.Prompt.RenderForGeneration([
            new ChatMessage(ChatRole.System, Instruction),
            new ChatMessage(ChatRole.User, reasoning),
        ]);
        var prompt = rendered.Ids;
        int room = engine.ContextLength - prompt.Count;
        if (room < 8)
            return await fallback.SummarizeAsync(reasoning, reasoningTokens, cancellationToken).ConfigureAwait(false);
        var handle = engine.Submit(
            new GenerationRequest
            {
                PromptIds = prompt,
                Temperature = 0,
                MaxNewTokens = Math.Min(maxTokens, room),
                MaxThinkingTokens = 0,
                ReasoningOpen = rendered.ReasoningOpen,
            }
        );
        using var _ = cancellationToken.Register(handle.Cancel);
        var result = await handle.Result.ConfigureAwait(false);
        string text = result.Answer.Trim();
        return text.Length > 0
            ? text
            : await fallback.SummarizeAsync(reasoning, reasoningTokens, cancellationToken).ConfigureAwait(false);
    }
}
