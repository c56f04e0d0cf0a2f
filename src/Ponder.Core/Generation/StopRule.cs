using Ponder.Text;

namespace Ponder.Generation;

/// <summary>
/// When a row ends, the one rule for every caller (rollouts, evaluation, the server): a stop token ends it with that
/// token; a stop string ends it once it appears in the answer — the text after the reasoning's latest close (by the
/// model or by the budget), without the answer prefix and the think markers — or anywhere when the prompt did not open
/// the reasoning; otherwise the token limit ends it. Stop strings do not match inside the reasoning the model writes
/// before a close: a reasoning model writes whatever it needs while it thinks, and stops are for the answer it gives
/// (as OpenAI applies them to the visible output). After a close the budget forced, the text may turn out to be
/// reasoning (the model may close once more itself); until then it counts as answer, as the server streams it.
/// </summary>
public sealed class StopRule
{
    readonly TextTokenizer tokenizer;
    readonly IReadOnlySet<int> stopTokenIds;
    readonly int[] markers;

    public StopRule(TextTokenizer tokenizer, IReadOnlySet<int> stopTokenIds, int? thinkStart, int? thinkEnd)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(stopTokenIds);
        (this.tokenizer, this.stopTokenIds) = (tokenizer, stopTokenIds);
        markers = [.. new[] { thinkStart, thinkEnd }.OfType<int>()];
    }

    public IReadOnlySet<int> StopTokenIds => stopTokenIds;

    /// <summary>Sets <see cref="DecodeRow.Finish"/> (and <see cref="DecodeRow.StoppedBy"/>) when the row's newest
    /// token ends it.</summary>
    public void Apply(DecodeRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        int id = row.Tokens[^1];
        if (stopTokenIds.Contains(id))
        {
            row.Finish = FinishReason.Stop;
        }
        else if (row.Settings.StepSeparator is string separator && row.AnswerFrom is null && EndsStep(row, separator))
        {
            row.Finish = FinishReason.Stop;
            row.EndedStep = true;
        }
        else if (StopStringIn(row) is string stop)
        {
            row.Finish = FinishReason.Stop;
            row.StoppedBy = stop;
        }
        else if (row.Tokens.Count >= row.Settings.MaxNewTokens)
        {
            row.Finish = FinishReason.Length;
        }
    }

    /// <summary>The row's text as a completion: its tokens decoded without a final stop token, cut before the first
    /// stop string that begins in the answer.</summary>
    public string Text(DecodeRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var ids = row.Tokens.Count > 0 && stopTokenIds.Contains(row.Tokens[^1]) ? row.Tokens.SkipLast(1) : row.Tokens;
        string text = tokenizer.Decode(ids);
        if (row.StoppedBy is not string stop)
            return text;
        int answerAt = Math.Min(tokenizer.Decode(row.Tokens.Take(row.AnswerFrom ?? 0)).Length, text.Length);
        if (row.ReasoningOpen && text.AsSpan(answerAt).StartsWith(ChatTemplate.AnswerPrefix, StringComparison.Ordinal))
            answerAt += ChatTemplate.AnswerPrefix.Length; // template, not answer: the stop check skips it too
        int at = text.IndexOf(stop, answerAt, StringComparison.Ordinal);
        return at >= 0 ? text[..at] : text;
    }

    /// <summary>Whether the open reasoning's tokens now hold a step's end; a separator needs at most 4 tokens per
    /// character, so only a tail is decoded unless the step has no content yet.</summary>
    bool EndsStep(DecodeRow row, string separator)
    {
        if (!tokenizer.Decode([row.Tokens[^1]]).Contains(separator[^1], StringComparison.Ordinal))
            return false;
        return EndsStep(tokenizer.Decode(row.Tokens), separator);
    }

    /// <summary>Whether <paramref name="text"/> (a step's text so far) holds a step's end: a separator after some
    /// non-white content (the rule of <c>Tasks.ReasoningSteps</c>).</summary>
    public static bool EndsStep(string text, string separator)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(separator);
        int at = text.IndexOf(separator, StringComparison.Ordinal);
        while (at >= 0)
        {
            if (!string.IsNullOrWhiteSpace(text[..at]))
                return true;
            at = text.IndexOf(separator, at + 1, StringComparison.Ordinal);
        }
        return false;
    }

    string? StopStringIn(DecodeRow row)
    {
        var stops = row.Settings.Stop;
        if (stops.Count == 0 || row.AnswerFrom is not int from)
            return null;
        // A stop string can only have been completed by the newest tokens: decode a tail long enough to hold it (a
        // byte-level token is at least a byte, so 4 tokens per character covers any UTF-8 text).
        int maxStop = stops.Max(s => s.Length);
        int tailStart = Math.Max(from, row.Tokens.Count - (4 * maxStop + 4));
        string text = AnswerText(row.Tokens.Skip(tailStart), skipPrefix: row.ReasoningOpen && tailStart == from);
        return stops.FirstOrDefault(s => text.Contains(s, StringComparison.Ordinal));
    }

    string AnswerText(IEnumerable<int> ids, bool skipPrefix)
    {
        // Think markers are not answer, as tokens or spelled out of ordinary ones (the server strips both).
        string text = tokenizer
            .Decode(ids.Where(id => !markers.Contains(id)))
            .Replace(ChatTemplate.ThinkStart, "", StringComparison.Ordinal)
            .Replace(ChatTemplate.ThinkEnd, "", StringComparison.Ordinal);
        return skipPrefix && text.StartsWith(ChatTemplate.AnswerPrefix, StringComparison.Ordinal)
            ? text[ChatTemplate.AnswerPrefix.Length..]
            : text;
    }
}
