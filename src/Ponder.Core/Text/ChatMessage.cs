namespace Ponder.Text;

/// <summary>One message of a conversation.</summary>
/// <param name="Role">Who wrote it.</param>
/// <param name="Content">The text; for the assistant, the answer after <c>&lt;/think&gt;</c>.</param>
/// <param name="Reasoning">The assistant's hidden chain of thought; null renders an empty think block.
/// Ignored for other roles.</param>
public sealed record ChatMessage(ChatRole Role, string Content, string? Reasoning = null);
