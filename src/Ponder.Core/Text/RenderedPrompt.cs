namespace Ponder.Text;

/// <summary>A conversation rendered by <see cref="ChatTemplate"/>.</summary>
/// <param name="Ids">The token ids to feed the model.</param>
/// <param name="Text">The same prompt as text, for debugging and logs (control tokens spelled out).</param>
public sealed record RenderedPrompt(IReadOnlyList<int> Ids, string Text);
