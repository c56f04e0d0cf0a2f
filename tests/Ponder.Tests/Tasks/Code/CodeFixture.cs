using System.Text.Json;
using Ponder.Sandbox;
using Ponder.Tasks.Code;

namespace Ponder.Tests.Tasks.Code;

/// <summary>The sample problems of Fixtures/code and the one sandbox the code tests share (tests run in parallel;
/// the sandbox's workers bound how many programs run at once).</summary>
static class CodeFixture
{
    /// <summary>The tests that run programs: one at a time, so a check that nothing is left running sees only its
    /// own test's runs.</summary>
    public const string Collection = "code sandbox";

    static readonly Lazy<Bubblewrap> Shared = new(() => Bubblewrap.Open(2));

    public static string Problems => Path.Combine(AppContext.BaseDirectory, "Fixtures", "code", "problems.jsonl");

    /// <summary>The sandbox; a machine without bubblewrap fails here with how to install it (never a skip).</summary>
    public static Bubblewrap Sandbox => Shared.Value;

    public static CodeTask Task(string? path = null, double timeLimit = 1) =>
        new(new CodeTaskOptions(path ?? Problems) { TimeLimitSeconds = timeLimit }, Sandbox);

    /// <summary>An answer with <paramref name="code"/> as its last block (or none for null).</summary>
    public static string Answer(string? code) =>
        code is null ? "I would loop over the digits." : $"Here it is.\n\n```python\n{code}```\n";

    /// <summary>Each problem's reference solution and its corrupted programs with their expected verdicts.</summary>
    public static IEnumerable<(string Id, string Solution, (string Verdict, string? Code)[] Corrupted)> Rows()
    {
        foreach (var line in File.ReadLines(Problems))
        {
            using var row = JsonDocument.Parse(line);
            var r = row.RootElement;
            var corrupted = r.GetProperty("corrupted")
                .EnumerateArray()
                .Select(c => (c.GetProperty("verdict").GetString()!, c.GetProperty("code").GetString()))
                .ToArray();
            yield return (r.GetProperty("id").GetString()!, r.GetProperty("solution").GetString()!, corrupted);
        }
    }
}
