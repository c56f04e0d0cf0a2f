namespace Ponder.Server.Summaries;

/// <summary>Writes what users may see of a hidden reasoning. Must never return the raw chain.</summary>
public interface IReasoningSummarizer
{
    Task<string> SummarizeAsync(string reasoning, int reasoningTokens, CancellationToken cancellationToken);
}

/// <summary>
/// For models that cannot summarise: a factual line such as "Reasoned for 212 tokens; made 3 attempts." Attempts are
/// 1 + the backtracking markers in the chain ("Wait", "Alternatively", "Actually", "Let me try").
/// </summary>
public sealed class FactualSummarizer : IReasoningSummarizer
{
    static readonly string[] Backtracks = ["Wait", "Alternatively", "Actually", "Let me try"];

    public Task<string> SummarizeAsync(string reasoning, int reasoningTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        int attempts = 1 + Backtracks.Sum(b => Count(reasoning, b));
        string tries = attempts == 1 ? "made 1 attempt" : $"made {attempts} attempts";
        return Task.FromResult($"Reasoned for {reasoningTokens} tokens; {tries}.");
    }

    static int Count(string text, string word)
    {
        int n = 0;
        for (
            int at = text.IndexOf(word, StringComparison.Ordinal);
            at >= 0;
            at = text.IndexOf(word, at + word.Length, StringComparison.Ordinal)
        )
        {
            n++;
        }

        return n;
    }
}
