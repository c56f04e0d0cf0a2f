using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ponder.Checkpoints;

namespace Ponder.TestTime;

/// <summary>
/// Writes a sweep's results: <c>scale.md</c> (one row per budget × N × strategy) and <c>scale.json</c> (the same
/// points and the settings). <see cref="Frontier"/> is what a plot of accuracy against compute draws per strategy
/// (the PNG is drawn at the edge, by Ponder.Plots): of all its (budget, N) points, sorted by compute, those at least
/// as accurate as every cheaper one (the table keeps all points, including the dominated ones).
/// </summary>
public static class ScalingReport
{
    public const string MarkdownFile = "scale.md",
        JsonFile = "scale.json";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Writes the two files into <paramref name="dir"/> (created if needed) and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string dir, ScalingResult result)
    {
        Directory.CreateDirectory(dir);
        string md = Path.Combine(dir, MarkdownFile),
            json = Path.Combine(dir, JsonFile);
        AtomicFile.WriteAllText(md, Markdown(result));
        AtomicFile.WriteAllText(json, JsonSerializer.Serialize(result, Json) + "\n");
        return [md, json];
    }

    /// <summary>The Markdown table: budget, N, strategy, accuracy, tokens and FLOPs per problem, reasoning tokens, cut
    /// rate.</summary>
    public static string Markdown(ScalingResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        string model = result.Model.Length > 0 ? $", model {result.Model}" : "";
        text.Append(c, $"Test-time scaling on {result.Task} ({result.Problems} problems{model}; ");
        text.Append(
            c,
            $"temperature {result.Options.Temperature}, top-p {result.Options.TopP}, seed "
                + $"{result.Options.Seed}{(result.Scored ? ", with a scorer" : "")}).\n\n"
        );
        text.Append(
            "| budget | N | strategy | accuracy | tokens / problem | FLOPs / problem | reasoning tokens / "
                + "sample | budget cut |\n"
        );
        text.Append("|---:|---:|---|---:|---:|---:|---:|---:|\n");
        foreach (var p in result.Points.OrderBy(p => p.Budget).ThenBy(p => p.Samples).ThenBy(p => p.Strategy))
        {
            text.Append(
                c,
                $"| {p.Budget} | {p.Samples} | {Strategies.Name(p.Strategy)} | {p.Accuracy:P1} | "
                    + $"{p.TokensPerProblem:F0} | {p.FlopsPerProblem:G3} | {p.ReasoningTokens:F1} | "
                    + $"{p.BudgetCutRate:P0} |\n"
            );
        }

        return text.ToString();
    }

    /// <summary>Points sorted by compute, keeping each that is at least as accurate as every cheaper one (so a flat
    /// curve stays visible as a line).</summary>
    public static IReadOnlyList<(double X, double Y)> Frontier(IEnumerable<ScalingPoint> points)
    {
        var frontier = new List<(double X, double Y)>();
        foreach (
            var p in points
                .Where(p => p.FlopsPerProblem > 0)
                .OrderBy(p => p.FlopsPerProblem)
                .ThenByDescending(p => p.Accuracy)
        )
        {
            if (frontier.Count == 0 || p.Accuracy >= frontier[^1].Y)
                frontier.Add((p.FlopsPerProblem, p.Accuracy));
        }

        return frontier;
    }
}
