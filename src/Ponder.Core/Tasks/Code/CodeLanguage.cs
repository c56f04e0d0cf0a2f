namespace Ponder.Tasks.Code;

/// <summary>
/// How programs of one language are found in an answer and run in the sandbox. The program is staged as
/// <see cref="SourceFile"/> beside the language's own harness files; a harness reports a compile error by exiting
/// with <see cref="CompileErrorExit"/> after writing <see cref="CompileErrorMarker"/> to standard error.
/// </summary>
/// <param name="Name">The name users pass to <c>--task-option language=</c>.</param>
/// <param name="Title">The name prompts use ("Python 3").</param>
/// <param name="FenceTags">Info strings of a fenced code block in this language (an untagged block counts
/// too).</param>
/// <param name="SourceFile">The program's file name inside the sandbox's code directory.</param>
/// <param name="Harness">Harness file name → content, staged with the program.</param>
/// <param name="StdioCommand">Runs the program on standard input (after compiling it).</param>
/// <param name="FunctionCommand">Runs the program then the assert tests it reads as JSON on standard input, or null
/// where the language has no assert tests.</param>
public sealed record CodeLanguage(
    string Name,
    string Title,
    IReadOnlyList<string> FenceTags,
    string SourceFile,
    IReadOnlyDictionary<string, string> Harness,
    IReadOnlyList<string> StdioCommand,
    IReadOnlyList<string>? FunctionCommand
)
{
    /// <summary>The exit code of a harness whose program did not compile.</summary>
    public const int CompileErrorExit = 3;

    /// <summary>The line a harness writes to standard error before <see cref="CompileErrorExit"/>.</summary>
    public const string CompileErrorMarker = "ponder: compile error";

    /// <summary>Splits assert tests into a call the program evaluates and a value computed without it (JSON on
    /// standard input: prelude, setup, tests; prints a JSON list), or null where every assert runs whole in the
    /// program's interpreter. <see cref="PythonAssertHarness"/> describes the protocol.</summary>
    public IReadOnlyList<string>? SplitCommand { get; init; }

    /// <summary>Compares values the program reported with the expected ones, without the program (JSON on standard
    /// input: prelude, setup, pairs of right side and actual value; prints a JSON list of booleans).</summary>
    public IReadOnlyList<string>? CheckCommand { get; init; }
}

/// <summary>The languages the code task runs: the one place to add another (its fence tags, file and
/// commands).</summary>
public static class CodeLanguages
{
    /// <summary>Python 3, the interpreter of the host's <c>/usr/bin</c> (the sandbox sees only <c>/usr</c>).</summary>
    public static CodeLanguage Python { get; } =
        new(
            "python",
            "Python 3",
            ["python", "py", "python3"],
            "solution.py",
            new Dictionary<string, string>
            {
                ["stdio_harness.py"] = PythonHarness.Stdio,
                ["function_harness.py"] = PythonHarness.Function,
                ["split_harness.py"] = PythonAssertHarness.Split,
                ["check_harness.py"] = PythonAssertHarness.Check,
            },
            ["/usr/bin/python3", "-I", "-B", "/code/stdio_harness.py"],
            ["/usr/bin/python3", "-I", "-B", "/code/function_harness.py"]
        )
        {
            SplitCommand = ["/usr/bin/python3", "-I", "-B", "/code/split_harness.py"],
            CheckCommand = ["/usr/bin/python3", "-I", "-B", "/code/check_harness.py"],
        };

    public static IReadOnlyList<CodeLanguage> All { get; } = [Python];

    /// <summary>The language named <paramref name="name"/>, or an error listing the known ones.</summary>
    public static CodeLanguage Get(string name) =>
        All.FirstOrDefault(l => l.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new PonderException(
            $"--task-option language={name}: unknown language; known: {string.Join(", ", All.Select(l => l.Name))}."
        );
}
