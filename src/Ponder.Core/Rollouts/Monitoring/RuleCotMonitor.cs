using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Ponder.Rollouts.Monitoring;

/// <summary>
/// A rule-based monitor configured from a JSON file:
/// <c>{"rules": [{"pattern": "rm -rf", "action": "block"}, {"pattern": "(?i)the grader", "action": "flag"}]}</c>.
/// Patterns are .NET regular expressions (100 ms timeout each); the strongest matching action wins (block over flag).
/// </summary>
public sealed class RuleCotMonitor : ICotMonitor
{
    readonly (Regex Pattern, CotAction Action)[] rules;

    public RuleCotMonitor(IEnumerable<(string Pattern, CotAction Action)> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        this.rules =
        [
            .. rules.Select(r =>
                (new Regex(r.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), r.Action)
            ),
        ];
    }

    public static RuleCotMonitor Load(string path)
    {
        RulesFile? file;
        try
        {
            file = JsonSerializer.Deserialize<RulesFile>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new PonderException(
                $"{path}: not a monitor file ({e.Message}); expected {{\"rules\": [{{\"pattern\": \"regex\", "
                    + "\"action\": \"flag|block\"}]}."
            );
        }
        if (file?.Rules is not { Count: > 0 } list)
            throw new PonderException($"{path}: \"rules\" is missing or empty.");
        var parsed = new List<(string, CotAction)>();
        foreach (var r in list)
        {
            var action = r.Action switch
            {
                "flag" => CotAction.Flag,
                "block" => CotAction.Block,
                _ => throw new PonderException($"{path}: action \"{r.Action}\" must be flag or block."),
            };
            if (string.IsNullOrEmpty(r.Pattern))
                throw new PonderException($"{path}: every rule needs a non-empty \"pattern\".");
            try
            {
                _ = new Regex(r.Pattern);
            }
            catch (ArgumentException e)
            {
                throw new PonderException(
                    $"{path}: pattern \"{r.Pattern}\" is not a valid regular expression: {e.Message}"
                );
            }
            parsed.Add((r.Pattern, action));
        }
        return new RuleCotMonitor(parsed);
    }

    public CotVerdict Review(string requestId, string reasoning)
    {
        var verdict = CotVerdict.Allowed;
        foreach (var (pattern, action) in rules)
        {
            bool hit;
            try
            {
                hit = pattern.IsMatch(reasoning);
            }
            catch (RegexMatchTimeoutException)
            {
                hit = true; // a pathological chain is worth a human look
            }
            if (hit && action > verdict.Action)
                verdict = new CotVerdict(action, $"matched /{pattern}/");
        }
        return verdict;
    }

    sealed record RulesFile([property: JsonPropertyName("rules")] List<RuleEntry>? Rules);

    sealed record RuleEntry(
        [property: JsonPropertyName("pattern")] string? Pattern,
        [property: JsonPropertyName("action")] string? Action
    );
}
