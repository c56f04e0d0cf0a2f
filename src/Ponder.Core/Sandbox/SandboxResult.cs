namespace Ponder.Sandbox;

/// <summary>One program to run: the files it sees (read-only, under <see cref="Bubblewrap.CodeDir"/>), the command
/// inside the sandbox, its standard input and its limits.</summary>
/// <param name="Files">File name → content, placed read-only in <see cref="Bubblewrap.CodeDir"/>.</param>
/// <param name="Command">The argv inside the sandbox (absolute program path, e.g. /usr/bin/python3).</param>
/// <param name="Stdin">What the program reads on standard input. <value>The default value is empty.</value></param>
/// <param name="Limits">Its limits. <value>The default value is <see cref="SandboxLimits"/>' defaults.</value></param>
public sealed record SandboxRequest(
    IReadOnlyDictionary<string, string> Files,
    IReadOnlyList<string> Command,
    string Stdin = "",
    SandboxLimits? Limits = null
);

/// <summary>How a sandboxed run ended.</summary>
/// <param name="ExitCode">The program's exit code, or 128 + the signal that ended it (the shell's convention).</param>
/// <param name="WallTimedOut">Killed at the wall-clock limit.</param>
/// <param name="OutputCapped">Killed for writing more than the output limit.</param>
/// <param name="Stdout">Standard output (up to the limit).</param>
/// <param name="Stderr">The start of standard error.</param>
/// <param name="Elapsed">Wall-clock time of the run, sandbox set-up included.</param>
public sealed record SandboxResult(
    int ExitCode,
    bool WallTimedOut,
    bool OutputCapped,
    string Stdout,
    string Stderr,
    TimeSpan Elapsed
)
{
    /// <summary>The signal that ended the program, or null when it exited.</summary>
    public int? Signal => ExitCode > 128 && ExitCode < 128 + 65 ? ExitCode - 128 : null;

    /// <summary>SIGXCPU: the CPU-seconds limit.</summary>
    public bool CpuTimedOut => Signal == 24;
}
