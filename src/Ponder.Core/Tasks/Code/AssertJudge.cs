using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ponder.Sandbox;

namespace Ponder.Tasks.Code;

/// <summary>One assert test as the program's run sees it: a call whose value it reports (the expected value stays
/// outside), or a whole test it runs.</summary>
sealed record AssertItem(
    [property: JsonPropertyName("left")] string? Left,
    [property: JsonPropertyName("right")] string? Right,
    [property: JsonPropertyName("expected")] string? Expected,
    [property: JsonPropertyName("whole")] string? Whole
);

/// <summary>
/// Judges a program on assert tests in up to three sandboxed runs: the split (once per problem, cached, no program),
/// the program (reports each call's value, or runs a whole test), and the check (no program; only when a value
/// differs in form from the expected one). A program can forge its own run's reports, but a call's expected value is
/// never in it, so forging a pass means computing the answer; only whole tests trust the program's interpreter.
/// </summary>
sealed class AssertJudge(Bubblewrap sandbox, CodeLanguage language, Func<CodeTests, SandboxLimits> limits)
{
    readonly ConcurrentDictionary<string, IReadOnlyList<AssertItem>> splits = new(StringComparer.Ordinal);

    public record struct Outcome(string Result, string Detail, string Shown);

    /// <summary>Each item's outcome ("pass", "fail", "error", "memory", or "missing" when the run ended before it),
    /// whether the run finished, the run itself and the items.</summary>
    public (List<Outcome> Outcomes, bool Done, SandboxResult Run, string? CompileError) Judge(
        string program,
        CodeTests tests,
        string programFile
    )
    {
        var items = Split(tests);
        string nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var shown = items.Select(i =>
            i.Left is null ? new AssertItem(null, null, null, i.Whole) : i with { Right = null, Expected = null }
        );
        string input = JsonSerializer.Serialize(
            new
            {
                nonce,
                prelude = tests.Prelude ?? "",
                setup = tests.Setup ?? "",
                items = shown,
            }
        );
        var command =
            language.FunctionCommand
            ?? throw new PonderException($"language {language.Name} has no assert tests; use standard-input cases.");
        var files = new Dictionary<string, string>(language.Harness) { [programFile] = program };
        var run = sandbox.Run(new SandboxRequest(files, command, input, limits(tests)));
        var reports = Reports(run.Stdout, nonce);
        if (reports.FirstOrDefault() is ("compile", var why))
            return ([], false, run, why);
        bool done = reports.Count > 0 && reports[^1].Result == "done";
        var outcomes = items
            .Select(
                (item, i) =>
                    i < reports.Count && reports[i].Result != "done"
                        ? Decide(item, reports[i])
                        : new Outcome("missing", "", "missing")
            )
            .ToList();
        Recheck(items, outcomes, tests);
        return (outcomes, done, run, null);
    }

    static Outcome Decide(AssertItem item, (string Result, string Detail) report)
    {
        if (item.Left is null)
        {
            return report.Result is "pass" or "fail" or "error" or "memory"
                ? new Outcome(report.Result, report.Detail, report.Result)
                : new Outcome("fail", "unexpected report", "fail");
        }

        return report.Result switch
        {
            "value" when report.Detail == item.Expected => new Outcome("pass", "", report.Detail),
            "value" => new Outcome("recheck", report.Detail, report.Detail),
            "error" or "memory" => new Outcome(report.Result, report.Detail, report.Result),
            // A call's result is only ever a value: anything else was not written by the harness.
            _ => new Outcome("fail", "unexpected report", "fail"),
        };
    }

    /// <summary>Values that differ in form from the expected one ("2.0" for "2") are compared with == in a run
    /// without the program.</summary>
    void Recheck(IReadOnlyList<AssertItem> items, List<Outcome> outcomes, CodeTests tests)
    {
        var pending = Enumerable.Range(0, outcomes.Count).Where(i => outcomes[i].Result == "recheck").ToList();
        if (pending.Count == 0)
            return;
        bool[]? equal = null;
        if (language.CheckCommand is { } command)
        {
            var pairs = pending.Select(i => new { right = items[i].Right, actual = outcomes[i].Detail });
            string input = JsonSerializer.Serialize(
                new
                {
                    prelude = tests.Prelude ?? "",
                    setup = tests.Setup ?? "",
                    pairs,
                }
            );
            var run = sandbox.Run(new SandboxRequest(language.Harness, command, input, limits(tests)));
            equal = Parse<bool[]>(run);
        }
        for (int k = 0; k < pending.Count; k++)
        {
            var o = outcomes[pending[k]];
            outcomes[pending[k]] =
                equal is { } e && k < e.Length && e[k]
                    ? o with
                    {
                        Result = "pass",
                        Detail = "",
                    }
                    : o with
                    {
                        Result = "fail",
                        Detail = $"got {Shorten(o.Detail)}, expected {items[pending[k]].Expected}",
                    };
        }
    }

    /// <summary>The problem's tests as items, computed once per problem without the program; every test whole when
    /// the language cannot split or the split fails.</summary>
    IReadOnlyList<AssertItem> Split(CodeTests tests)
    {
        var asserts = tests.Asserts ?? [];
        var whole = asserts.Select(a => new AssertItem(null, null, null, a)).ToList();
        if (language.SplitCommand is not { } command)
            return whole;
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(tests.ToJson())));
        return splits.GetOrAdd(
            key,
            _ =>
            {
                string input = JsonSerializer.Serialize(
                    new
                    {
                        prelude = tests.Prelude ?? "",
                        setup = tests.Setup ?? "",
                        tests = asserts,
                    }
                );
                var run = sandbox.Run(new SandboxRequest(language.Harness, command, input, limits(tests)));
                return Parse<List<AssertItem>>(run) is { Count: > 0 } items ? items : whole;
            }
        );
    }

    static T? Parse<T>(SandboxResult run)
        where T : class
    {
        if (run.ExitCode != 0)
            return null;
        try
        {
            return JsonSerializer.Deserialize<T>(run.Stdout);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The harness's reports: lines of standard output "NONCE RESULT DETAIL" with this run's nonce.</summary>
    static List<(string Result, string Detail)> Reports(string stdout, string nonce)
    {
        var reports = new List<(string, string)>();
        foreach (var line in stdout.Split('\n'))
        {
            if (!line.StartsWith(nonce + " ", StringComparison.Ordinal))
                continue;
            var parts = line[(nonce.Length + 1)..].Split(' ', 2);
            reports.Add((parts[0], parts.Length > 1 ? parts[1].TrimEnd() : ""));
        }
        return reports;
    }

    static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
