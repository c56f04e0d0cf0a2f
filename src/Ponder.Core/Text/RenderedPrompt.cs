namespace Ponder.Text;

/// <summary>A conversation rendered by a chat template (<see cref="ChatTemplate"/> or
/// <see cref="FamilyChatTemplate"/>).</summary>
/// <param name="Ids">The token ids to feed the model.</param>
/// <param name="Text">The same prompt as text, for debugging and logs (control tokens spelled out).</param>
/// <param name="ReasoningOpen">Whether the prompt ends inside an open think block, so the model's first tokens are
/// reasoning (the ChatML thinking template and DeepSeek-R1's generation prompts end with <c>&lt;think&gt;\n</c>).
/// False when there is no think block to write (thinking disabled, or a family without one).</param>
public sealed record RenderedPrompt(IReadOnlyList<int> Ids, string Text, bool ReasoningOpen = false);
