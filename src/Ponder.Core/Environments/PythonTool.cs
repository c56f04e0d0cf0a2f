using System.Text.Json;
using Ponder.Sandbox;

namespace Ponder.Environments;

/// <summary>
/// The built-in <c>python</c> tool: runs the call's <c>code</c> with python3 in the code task's sandbox (no network,
/// nothing of the host but a read-only <c>/usr</c>, capped CPU, memory, processes and output) and returns what it
/// printed. A failed run returns its output and the last line of its error; a run past its time returns a time-limit
/// message.
/// </summary>
public sealed class PythonTool : ITool
{
    /// <summary>The tool's name.</summary>
    public const string ToolName = "python";

    static readonly JsonElement Schema = JsonDocument
        .Parse(
            """
            {"type": "function", "function": {
              "name": "python",
              "description": "Run Python 3 code and return what it prints.",
              "parameters": {"type": "object", "required": ["code"], "properties": {
                "code": {"type": "string", "description": "The program; print the values you need."}}}}}
            """
        )
        .RootElement.Clone();

    readonly Bubblewrap sandbox;
    readonly SandboxLimits limits;
    readonly int maxResultChars;

    /// <param name="sandbox">Where the code runs (its worker count bounds parallel calls).</param>
    /// <param name="limits">Each run's limits. <value>The default value is 2 CPU seconds, a 5 s wall clock and the
    /// sandbox's other defaults.</value></param>
    /// <param name="maxResultChars">Longest result returned; longer output is cut with a note.
    /// <value>The default value is 2,000.</value></param>
    public PythonTool(Bubblewrap sandbox, SandboxLimits? limits = null, int maxResultChars = 2_000)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        if (maxResultChars < 16)
            throw new PonderException($"python tool result limit {maxResultChars}: must be at least 16 characters.");
        this.sandbox = sandbox;
        this.limits = (limits ?? new SandboxLimits()).Validate();
        this.maxResultChars = maxResultChars;
    }

    public string Name => ToolName;

    public JsonElement Definition => Schema;

    /// <summary>The tool's definition without a sandbox: what training renders into prompts (it runs nothing).
    /// </summary>
    public static JsonElement FunctionDefinition => Schema;

    public string Invoke(string argumentsJson)
    {
        if (Code(argumentsJson) is not { } code)
            return "error: call python with {\"code\": \"<program>\"}";
        var run = sandbox.Run(
            new SandboxRequest(
                new Dictionary<string, string> { ["main.py"] = code },
                ["/usr/bin/python3", Bubblewrap.CodeDir + "/main.py"],
                "",
                limits
            )
        );
        return Result(run);
    }

    /// <summary>What the model sees of a run: its output without trailing whitespace, then how it failed.</summary>
    public string Result(SandboxResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        string output = run.Stdout.TrimEnd();
        string? failure =
            run.WallTimedOut || run.CpuTimedOut ? $"error: time limit ({limits.CpuSeconds} s) exceeded"
            : run.OutputCapped ? "error: output limit exceeded"
            : run.ExitCode != 0 ? LastLine(run.Stderr) ?? $"error: exit code {run.ExitCode}"
            : null;
        string text =
            failure is null ? output
            : output.Length == 0 ? failure
            : output + "\n" + failure;
        if (text.Length == 0)
            text = "(no output)";
        return text.Length <= maxResultChars ? text : text[..(maxResultChars - 14)] + "\n…(truncated)";
    }

    static string? LastLine(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } l
            ? l[^1]
            : null;

    static string? Code(string argumentsJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(argumentsJson);
            return
                doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("code", out var code)
                && code.ValueKind == JsonValueKind.String
                ? code.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
