using System.Text.Json;
using Ponder.Tasks.Graders;

namespace Ponder.Tests.Tasks.Graders;

/// <summary>One case of Math-Verify's own tests (Fixtures/math-verify/cases.jsonl) and the options it ran
/// with.</summary>
sealed record MathVerifyCase(string Id, string Gold, string Pred, bool Expected, MathGradingOptions Options)
{
    static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "math-verify");

    public static IReadOnlyList<MathVerifyCase> All() =>
        File.ReadLines(Path.Combine(Folder, "cases.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => Of(JsonDocument.Parse(l).RootElement))
            .ToList();

    /// <summary>The documented disagreements: case id → why Ponder differs.</summary>
    public static IReadOnlyDictionary<string, string> Disagreements() =>
        JsonDocument
            .Parse(File.ReadAllText(Path.Combine(Folder, "disagreements.json")))
            .RootElement.EnumerateArray()
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("why").GetString()!);

    static MathVerifyCase Of(JsonElement e)
    {
        var match = e.GetProperty("match");
        var targets =
            match.ValueKind == JsonValueKind.Array ? match.EnumerateArray().Select(m => m.GetString()).ToList() : null;
        var options = new MathGradingOptions
        {
            Latex = targets?.Contains("latex") ?? true,
            Plain = targets?.Contains("expr") ?? true,
            DecimalPlaces = e.GetProperty("precision").GetInt32(),
            StrictVariables = e.GetProperty("strict").GetBoolean(),
            GoldSetMatchesInequality = e.GetProperty("set_relation").GetBoolean(),
        };
        return new MathVerifyCase(
            e.GetProperty("id").GetString()!,
            e.GetProperty("gold").GetString()!,
            e.GetProperty("pred").GetString()!,
            e.GetProperty("expected").GetBoolean(),
            options
        );
    }

    public bool Ponder() => MathAnswer.Equivalent(Gold, Pred, Options);
}
