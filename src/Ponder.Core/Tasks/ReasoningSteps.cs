using Ponder.Text;

namespace Ponder.Tasks;

/// <summary>
/// How a reasoning splits into steps, the unit a process reward model scores and a step-level search expands: text
/// between separators (<see cref="Lines"/> for countdown and arithmetic, whose traces write one step per line;
/// <see cref="Paragraphs"/>, search-and-learn's blank lines, for math datasets). A step holds its separator at its
/// end; a separator with only white space before it (since the last step's end) does not end a step. The last step
/// of a completion is what follows the last separator: the rest of the reasoning, its close and the answer.
/// </summary>
public static class ReasoningSteps
{
    public const string Lines = "\n",
        Paragraphs = "\n\n";

    /// <summary>A separator from its name (<c>lines</c>, <c>paragraphs</c>) or written out, with <c>\n</c> for a
    /// newline (<c>--steps-by "\n---\n"</c>).</summary>
    public static string Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string separator = text switch
        {
            "lines" => Lines,
            "paragraphs" => Paragraphs,
            _ => text.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal),
        };
        if (separator.Length == 0 || (string.IsNullOrWhiteSpace(separator) && !separator.Contains('\n')))
        {
            throw new PonderException(
                $"--steps-by \"{text}\": give lines, paragraphs or the separator itself (\\n for a newline)."
            );
        }

        return separator;
    }

    /// <summary>The steps of <paramref name="reasoning"/>, each with its separator (the last may lack one).</summary>
    public static IReadOnlyList<string> Split(string reasoning, string separator)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        ArgumentException.ThrowIfNullOrEmpty(separator);
        var steps = new List<string>();
        int start = 0;
        int at = reasoning.IndexOf(separator, StringComparison.Ordinal);
        while (at >= 0)
        {
            int end = at + separator.Length;
            if (!string.IsNullOrWhiteSpace(reasoning[start..at]))
            {
                steps.Add(reasoning[start..end]);
                start = end;
            }
            at = reasoning.IndexOf(separator, end, StringComparison.Ordinal);
        }
        if (!string.IsNullOrWhiteSpace(reasoning[start..]))
            steps.Add(reasoning[start..]);
        else if (steps.Count > 0)
            steps[^1] += reasoning[start..];
        return steps;
    }

    /// <summary>
    /// Where steps end in generated tokens: the index of each token that completes a separator among the first
    /// <paramref name="reasoningTokens"/> tokens (the reasoning before its close), skipping separators that would
    /// end an empty step. The step after the last index — the rest of the completion — is not listed.
    /// </summary>
    public static IReadOnlyList<int> Ends(
        TextTokenizer tokenizer,
        IReadOnlyList<int> tokens,
        int reasoningTokens,
        string separator
    )
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentException.ThrowIfNullOrEmpty(separator);
        var ends = new List<int>();
        var text = new System.Text.StringBuilder();
        int stepStart = 0,
            searchFrom = 0;
        for (int i = 0; i < Math.Min(reasoningTokens, tokens.Count); i++)
        {
            text.Append(tokenizer.Decode([tokens[i]]));
            string now = text.ToString();
            int at = now.IndexOf(separator, searchFrom, StringComparison.Ordinal);
            bool ended = false;
            while (at >= 0)
            {
                int end = at + separator.Length;
                if (!string.IsNullOrWhiteSpace(now[stepStart..at]))
                {
                    ended = true;
                    stepStart = end;
                }
                searchFrom = end;
                at = now.IndexOf(separator, searchFrom, StringComparison.Ordinal);
            }
            if (ended)
                ends.Add(i);
            // a separator can straddle tokens: search again from where a partial one could begin
            searchFrom = Math.Max(searchFrom, now.Length - separator.Length + 1);
        }
        return ends;
    }
}
