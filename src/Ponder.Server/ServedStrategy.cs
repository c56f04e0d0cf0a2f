using Ponder.Evaluation;
using Ponder.TestTime;

namespace Ponder.Server;

/// <summary>
/// A test-time strategy the server applies to one chat completion: draw <see cref="Samples"/> completions of the
/// prompt and answer with one of them — the majority answer (<c>majority</c>), the scorer's best (<c>best-of-n</c>)
/// or the answer with the largest summed score (<c>weighted</c>). Named <c>NAME:N</c>, in the request's
/// <c>test_time_strategy</c> field or per <c>reasoning_effort</c> by <c>ponder serve --effort-strategy</c>. The
/// server has no grader, so votes group answers by their text with white space collapsed. Usage counts every
/// sample's tokens: they were all spent.
/// </summary>
public sealed record ServedStrategy(Strategy Strategy, int Samples)
{
    /// <summary>Parses <c>NAME:N</c>; <paramref name="field"/> names the field or flag in errors.</summary>
    public static ServedStrategy Parse(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.LastIndexOf(':');
        string name = colon < 0 ? text : text[..colon];
        if (
            colon < 0
            || !int.TryParse(text[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out int n)
            || n < 1
        )
        {
            throw new PonderException($"{field} '{text}': write NAME:N, e.g. majority:8.");
        }
        var strategy = name switch
        {
            "majority" => Strategy.Majority,
            "best-of-n" => Strategy.BestOfN,
            "weighted" => Strategy.WeightedMajority,
            _ => throw new PonderException(
                $"{field} '{text}': the server applies majority, best-of-n or weighted (search strategies run in "
                    + "`ponder scale`)."
            ),
        };
        return new ServedStrategy(strategy, n);
    }

    public bool NeedsScores => Strategies.NeedsScores(Strategy);

    /// <summary>The strategy's name as <see cref="Parse"/> reads it.</summary>
    public string Name =>
        Strategy switch
        {
            Strategy.Majority => "majority",
            Strategy.BestOfN => "best-of-n",
            _ => "weighted",
        };

    public override string ToString() => $"{Name}:{Samples}";

    /// <summary>The index of the chosen answer among <paramref name="answers"/> (null: no answer, e.g. blocked);
    /// the first when the vote abstains.</summary>
    public int Choose(IReadOnlyList<string?> answers, IReadOnlyList<double>? scores)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var candidates = answers.Select((a, i) => new GradedSample("", i, Key(a), false, scores?[i])).ToArray();
        return Strategies.Choose(Strategy, candidates)?.SampleIndex ?? 0;
    }

    static string? Key(string? answer) =>
        string.IsNullOrWhiteSpace(answer)
            ? null
            : string.Join(' ', answer.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
