using System.Text.Json;

namespace Ponder.Text;

/// <summary>Continuing a conversation after function calls, token by token.</summary>
public sealed partial class PromptFormat
{
    /// <summary>
    /// The tokens that follow an assistant turn the model ended (its end-of-turn token included in its tokens) when
    /// <paramref name="results"/> come back: what the template writes after that turn's end, the results as tool
    /// messages, and the next generation prompt (reasoning opened as <c>RenderForGeneration</c> opens it). Appending
    /// them to the model's own tokens continues the conversation without re-rendering — and so without
    /// re-tokenizing — what the model wrote, as verl's and TRL's multi-turn rollouts do.
    /// </summary>
    /// <exception cref="PonderException">The template renders earlier turns differently once a tool result follows,
    /// so a conversation cannot be continued by appending.</exception>
    public int[] ToolResultTokens(
        IReadOnlyList<ChatMessage> results,
        IReadOnlyDictionary<string, JsonElement>? variables = null
    )
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0 || results.Any(r => r.Role != ChatRole.Tool))
            throw new ArgumentException("give one or more tool messages", nameof(results));
        // A stand-in conversation whose last assistant turn made a call, rendered without and with the results:
        // the results' tokens are what the second adds. The stand-in turn has reasoning, so templates that print
        // reasoning only for the last turn (Qwen3) render it the same way in both.
        var call = new ChatMessage(ChatRole.Assistant, "", "r", [new ToolCall("f", "{}")]);
        List<ChatMessage> before = [new(ChatRole.User, "q"), call];
        var turn = Render(before, addGenerationPrompt: false, variables).Ids;
        var next = RenderForGeneration([.. before, .. results], variables).Ids;
        if (next.Count < turn.Count || !next.Take(turn.Count).SequenceEqual(turn))
        {
            throw new PonderException(
                "the chat template renders earlier turns differently once a tool result follows them, so a "
                    + "multi-turn rollout cannot append the result to what the model wrote; use a template that "
                    + "appends turns (ChatML, Qwen2.5/3, Llama 3.1)"
            );
        }
        int end = LastIndexOfAny(turn, EndOfTurnIds);
        if (end < 0)
            throw new PonderException("the chat template ends an assistant turn with none of its end-of-turn tokens");
        return [.. turn.Skip(end + 1), .. next.Skip(turn.Count)];
    }

    static int LastIndexOfAny(IReadOnlyList<int> ids, IReadOnlyList<int> wanted)
    {
        for (int i = ids.Count - 1; i >= 0; i--)
        {
            if (wanted.Contains(ids[i]))
                return i;
        }
        return -1;
    }
}
