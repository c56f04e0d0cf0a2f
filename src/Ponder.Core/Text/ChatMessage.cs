namespace Ponder.Text;

/// <summary>One message of a conversation.</summary>
/// <param name="Role">Who wrote it.</param>
/// <param name="Content">The text; for the assistant, the answer after <c>&lt;/think&gt;</c> (without its function
/// calls, which are <paramref name="ToolCalls"/>); for a tool, the function's result.</param>
/// <param name="Reasoning">The assistant's hidden chain of thought; null renders an empty think block.
/// Ignored for other roles.</param>
/// <param name="ToolCalls">The assistant's function calls, rendered after its content; null or empty for none.</param>
/// <param name="ToolCallId">For a tool message, the id of the call it answers (OpenAI's <c>tool_call_id</c>; the
/// templates of the families Ponder renders do not print it).</param>
public sealed record ChatMessage(
    ChatRole Role,
    string Content,
    string? Reasoning = null,
    IReadOnlyList<ToolCall>? ToolCalls = null,
    string? ToolCallId = null
);
