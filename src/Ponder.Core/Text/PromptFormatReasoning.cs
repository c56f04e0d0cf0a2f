namespace Ponder.Text;

/// <summary>Splitting a completion into reasoning and answer, per format.</summary>
public sealed partial class PromptFormat
{
    /// <summary>
    /// Splits a completion (decoded with <c>skipSpecialTokens: false</c>) into reasoning and answer. The built-in
    /// template splits as <see cref="ChatTemplate.SplitReasoning"/>. A family with think blocks splits at the last
    /// <c>&lt;/think&gt;</c> the same way, dropping the newlines the template puts around the answer; a family without
    /// them has no reasoning: the whole text, up to the end-of-turn token, is the answer (and the reasoning counts as
    /// closed).
    /// </summary>
    public (string Reasoning, string Answer, bool ThinkingClosed) SplitReasoning(
        string completionText,
        bool promptOpenedThinking
    )
    {
        ArgumentNullException.ThrowIfNull(completionText);
        if (chatMl is not null)
            return ChatTemplate.SplitReasoning(completionText, promptOpenedThinking);
        string text = CutAtTurnEnd(completionText);
        if (ThinkEndId is null)
            return ("", text, true);
        var (reasoning, answer, closed) = ChatTemplate.SplitReasoning(text, promptOpenedThinking);
        return (reasoning, closed ? answer.TrimStart('\n') : answer, closed);
    }

    string CutAtTurnEnd(string text)
    {
        int end = text.Length;
        foreach (int id in EndOfTurnIds.Concat(tokenizer.EosTokenId is int eos ? [eos] : []))
        {
            if (tokenizer.IdToToken(id) is { } token)
            {
                int at = text.IndexOf(token, StringComparison.Ordinal);
                if (at >= 0 && at < end)
                    end = at;
            }
        }
        return text[..end];
    }
}
