using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ponder.Sandbox;

namespace Ponder.Tasks.Code;

/// <summary>A program's verdict on its tests.</summary>
/// <param name="Verdict">The first failing test's verdict, or accepted.</param>
/// <param name="Passed">Tests passed.</param>
/// <param name="Total">Tests in all.</param>
/// <param name="Outcome">A digest of what the program did on each test (its output, or how it failed): equal
/// programs vote together. Null for no code and compile errors.</param>
/// <param name="Detail">The first failure's message, for people reading samples.</param>
public sealed record CodeJudgement(CodeVerdict Verdict, int Passed, int Total, string? Outcome, string Detail)
{
    public double PassedFraction => Total == 0 ? 0 : (double)Passed / Total;
}

/// <summary>
/// Runs a program on its tests in the sandbox and decides the verdict. Standard-input cases run one sandbox each, in
/// order, all of them (the passed fraction is partial credit), except that after a time limit the rest count as
/// failed without running: a program that loops on one input likely loops on the others.
/// </summary>
public sealed class CodeJudge
{
    readonly Bubblewrap sandbox;
    readonly CodeLanguage language;
    readonly AssertJudge asserts;

    public CodeJudge(Bubblewrap sandbox, CodeLanguage language)
    {
        this.sandbox = sandbox;
        this.language = language;
        asserts = new AssertJudge(sandbox, language, Limits);
    }

    public CodeLanguage Language => language;

    public CodeJudgement Judge(string? program, CodeTests tests)
    {
        ArgumentNullException.ThrowIfNull(tests);
        if (program is null)
            return new CodeJudgement(CodeVerdict.NoCode, 0, tests.Count, null, "no code block in the answer");
        return tests.IsFunction ? Function(program, tests) : Stdio(program, tests);
    }

    static SandboxLimits Limits(CodeTests tests) =>
        new()
        {
            CpuSeconds = Math.Max(1, (int)Math.Ceiling(tests.TimeLimitSeconds)),
            // Sleeping or blocked programs use no CPU; the interpreter's and the sandbox's start-up use wall time, more
            // of it on a busy machine, which must not turn a correct program into a time limit.
            WallClock = TimeSpan.FromSeconds((tests.TimeLimitSeconds * 2) + 3),
            MemoryBytes = (long)tests.MemoryLimitMb << 20,
            // A correct program may print as much as the largest expected output; twice that caps a flood.
            OutputBytes = (int)
                Math.Min(
                    int.MaxValue / 2,
                    Math.Max(1 << 20, (2L * (tests.Cases?.Max(c => c.Output.Length) ?? 0)) + 4096)
                ),
        };

    Dictionary<string, string> Files(string program) => new(language.Harness) { [language.SourceFile] = program };

    CodeJudgement Stdio(string program, CodeTests tests)
    {
        var cases = tests.Cases ?? [];
        var outcomes = new List<string>();
        CodeVerdict? failure = null;
        string detail = "";
        int passed = 0;
        foreach (var test in cases)
        {
            var run = sandbox.Run(new SandboxRequest(Files(program), language.StdioCommand, test.Input, Limits(tests)));
            var ended = Classify(run);
            if (ended == CodeVerdict.CompileError)
                return new CodeJudgement(CodeVerdict.CompileError, 0, cases.Count, null, Tail(run.Stderr));
            var verdict =
                ended ?? (SameTokens(run.Stdout, test.Output) ? CodeVerdict.Accepted : CodeVerdict.WrongAnswer);
            outcomes.Add(ended is null ? string.Join(' ', Tokens(run.Stdout)) : verdict.Name());
            if (verdict == CodeVerdict.Accepted)
            {
                passed++;
                continue;
            }
            if (failure is null)
            {
                failure = verdict;
                detail =
                    verdict == CodeVerdict.WrongAnswer
                        ? string.Create(CultureInfo.InvariantCulture, $"wrong output on test {outcomes.Count}")
                        : Tail(run.Stderr);
            }
            if (verdict == CodeVerdict.TimeLimit)
                break;
        }
        return new CodeJudgement(failure ?? CodeVerdict.Accepted, passed, cases.Count, Digest(outcomes), detail);
    }

    /// <summary>How a run that is not simply "exited 0" ended, or null when it did.</summary>
    static CodeVerdict? Classify(SandboxResult run)
    {
        if (run.OutputCapped)
            return CodeVerdict.OutputLimit;
        if (run.WallTimedOut || run.CpuTimedOut)
            return CodeVerdict.TimeLimit;
        if (
            run.ExitCode == CodeLanguage.CompileErrorExit
            && run.Stderr.StartsWith(CodeLanguage.CompileErrorMarker, StringComparison.Ordinal)
        )
        {
            return CodeVerdict.CompileError;
        }

        if (run.ExitCode != 0 && run.Stderr.Contains("MemoryError", StringComparison.Ordinal))
            return CodeVerdict.MemoryLimit;
        return run.ExitCode == 0 ? null : CodeVerdict.RuntimeError;
    }

    CodeJudgement Function(string program, CodeTests tests)
    {
        var (outcomes, done, run, compileError) = asserts.Judge(program, tests, language.SourceFile);
        if (compileError is not null)
            return new CodeJudgement(CodeVerdict.CompileError, 0, tests.Count, null, compileError);
        int passed = outcomes.Count(o => o.Result == "pass");
        var first = outcomes.FirstOrDefault(o => o.Result != "pass");
        CodeVerdict verdict = first.Result switch
        {
            null when done => CodeVerdict.Accepted,
            "fail" => CodeVerdict.WrongAnswer,
            "memory" => CodeVerdict.MemoryLimit,
            "error" => CodeVerdict.RuntimeError,
            _ => Classify(run) ?? CodeVerdict.RuntimeError, // ended without reporting: killed, or exited early
        };
        string detail =
            verdict == CodeVerdict.Accepted ? ""
            : first.Detail is { Length: > 0 } d ? d
            : Tail(run.Stderr);
        var outcome = outcomes.Select(o => o.Shown).Concat(done ? [] : [Classify(run)?.Name() ?? "exit"]);
        return new CodeJudgement(verdict, passed, outcomes.Count, Digest([.. outcome]), detail);
    }

    static string[] Tokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    static bool SameTokens(string actual, string expected) => Tokens(actual).SequenceEqual(Tokens(expected));

    static string Digest(IReadOnlyList<string> outcomes)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', outcomes)));
        return "outputs:" + Convert.ToHexStringLower(bytes, 0, 8);
    }

    static string Tail(string stderr)
    {
        var lines = stderr.Trim().Split('\n');
        return lines.Length == 0 ? "" : lines[^1].Trim();
    }
}
