namespace Ponder.Sandbox;

/// <summary>
/// What one sandboxed run may use. Every limit is enforced by the kernel (rlimits set by <c>prlimit</c> inside the
/// sandbox, a size-capped tmpfs) or by the host side (wall clock, output), so a program cannot raise its own.
/// </summary>
public sealed record SandboxLimits
{
    /// <summary>CPU seconds (RLIMIT_CPU): SIGXCPU at this many, SIGKILL one second later.</summary>
    /// <value>The default value is 2.</value>
    public int CpuSeconds { get; init; } = 2;

    /// <summary>Wall-clock time after which the whole sandbox (every process in it) is killed: a program that
    /// sleeps or blocks uses no CPU.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan WallClock { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Address space in bytes (RLIMIT_AS): an allocation past it fails inside the program.</summary>
    /// <value>The default value is 512 MiB.</value>
    public long MemoryBytes { get; init; } = 512L << 20;

    /// <summary>Processes and threads of the run's user (RLIMIT_NPROC); the interpreter counts as one. The address
    /// space limit is per process, so a run's memory is bounded by this many times <see cref="MemoryBytes"/>.</summary>
    /// <value>The default value is 8.</value>
    public int Processes { get; init; } = 8;

    /// <summary>Largest file the program may write (RLIMIT_FSIZE), and the size of each of its writable
    /// directories (<c>/work</c>, <c>/tmp</c>, <c>/dev/shm</c>: tmpfs), so neither one file nor many fill memory or a
    /// disk.</summary>
    /// <value>The default value is 16 MiB.</value>
    public long FileBytes { get; init; } = 16L << 20;

    /// <summary>Open file descriptors (RLIMIT_NOFILE).</summary>
    /// <value>The default value is 64.</value>
    public int OpenFiles { get; init; } = 64;

    /// <summary>Bytes of standard output kept; past it the run is killed and marked
    /// <see cref="SandboxResult.OutputCapped"/>. Standard error keeps its last 64 KiB and is never fatal.</summary>
    /// <value>The default value is 1 MiB.</value>
    public int OutputBytes { get; init; } = 1 << 20;

    /// <summary>Throws a <see cref="PonderException"/> naming the limit to change when one is out of range.</summary>
    public SandboxLimits Validate()
    {
        if (CpuSeconds < 1)
            throw new PonderException($"CPU limit {CpuSeconds} s: must be at least 1 second.");
        if (WallClock <= TimeSpan.Zero)
            throw new PonderException($"wall-clock limit {WallClock}: must be positive.");
        if (MemoryBytes < 32L << 20)
            throw new PonderException($"memory limit {MemoryBytes} bytes: must be at least 32 MiB for an interpreter.");
        if (Processes < 1)
            throw new PonderException($"process limit {Processes}: must be at least 1.");
        if (FileBytes < 1 || OpenFiles < 8 || OutputBytes < 1)
        {
            throw new PonderException(
                $"file limit {FileBytes}, open files {OpenFiles}, output {OutputBytes}: file and output limits must "
                    + "be positive and open files at least 8 (the interpreter's own)."
            );
        }

        return this;
    }
}
