using System.Diagnostics;
using System.Globalization;

namespace Ponder.Sandbox;

/// <summary>
/// Runs untrusted programs (a model's code under RL) in a bubblewrap sandbox (the tool Flatpak uses): new user, PID,
/// network, IPC and UTS namespaces (no network, no view of other processes); only <c>/usr</c> of the host, read-only;
/// a private size-capped tmpfs as work directory; rlimits on CPU, address space, processes, file size and open files
/// set inside by <c>prlimit</c>; a wall-clock timeout that kills the whole sandbox (its PID namespace dies with it);
/// standard output capped. Run as root, each run first drops to a user id of its own, so the process limit counts
/// only that run and every process left behind can be found and killed.
/// </summary>
/// <remarks>Thread-safe: at most <see cref="Workers"/> runs at once; further callers wait.</remarks>
public sealed class Bubblewrap : IDisposable
{
    /// <summary>Where the request's files appear inside the sandbox (read-only).</summary>
    public const string CodeDir = "/code";

    /// <summary>The sandbox's writable working directory (a tmpfs of <see cref="SandboxLimits.FileBytes"/>).</summary>
    public const string WorkDir = "/work";

    /// <summary>What to run when the sandbox's tools are missing.</summary>
    public const string InstallHint =
        "install them with `sudo apt-get install bubblewrap python3` (Debian/Ubuntu), or run "
        + "tools/install-sandbox.sh from the repository";

    static int runCounter;

    readonly string bwrap;
    readonly string? setpriv;
    readonly SemaphoreSlim slots;
    readonly int uidBase;

    Bubblewrap(string bwrap, string? setpriv, int workers)
    {
        this.bwrap = bwrap;
        this.setpriv = setpriv;
        Workers = workers;
        slots = new SemaphoreSlim(workers, workers);
        // Distinct per process, so concurrent test hosts or graders never share a run's user id; far above the user
        // and subordinate-id ranges of /etc/subuid, so a sweep of a run's user never meets anyone else's process.
        uidBase = 1_500_000_000 + (Environment.ProcessId % 100_000 * 1_000);
    }

    /// <summary>How many programs may run at once.</summary>
    public int Workers { get; }

    /// <summary>Whether runs get a user id of their own (the process is root).</summary>
    public bool OwnUsers => setpriv is not null;

    /// <summary>The user id a run of this process numbered <paramref name="run"/> gets when the process is
    /// root.</summary>
    internal int UserOf(int run) => uidBase + (run % 1_000);

    /// <summary>
    /// The sandbox, after checking that bubblewrap, util-linux's <c>prlimit</c> (and <c>setpriv</c> when root) are
    /// present and that bubblewrap can make its namespaces here.
    /// </summary>
    /// <exception cref="PonderException">A tool is missing or namespaces are not permitted; the message says what to
    /// install or enable. Nothing ever runs unsandboxed.</exception>
    public static Bubblewrap Open(int workers) => Open(workers, Find);

    /// <summary>As <see cref="Open(int)"/>, finding tools with <paramref name="find"/> (tests stand in a machine
    /// without them).</summary>
    internal static Bubblewrap Open(int workers, Func<string, string?> find)
    {
        if (workers < 1)
            throw new PonderException($"sandbox workers {workers}: must be at least 1.");
        if (!OperatingSystem.IsLinux())
            throw new PonderException("the code sandbox needs Linux (bubblewrap and namespaces).");
        string bwrap = find("bwrap") ?? throw Missing("bwrap (package bubblewrap)");
        _ = find("prlimit") ?? throw Missing("prlimit (package util-linux)");
        string? setpriv = null;
        if (Environment.IsPrivilegedProcess)
            setpriv = find("setpriv") ?? throw Missing("setpriv (package util-linux)");
        var sandbox = new Bubblewrap(bwrap, setpriv, workers);
        sandbox.Probe();
        return sandbox;
    }

    /// <summary>Runs one program and reports how it ended; the host's files and processes are never at
    /// risk.</summary>
    public SandboxResult Run(SandboxRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limits = (request.Limits ?? new SandboxLimits()).Validate();
        slots.Wait();
        try
        {
            return RunInSlot(request, limits);
        }
        finally
        {
            slots.Release();
        }
    }

    SandboxResult RunInSlot(SandboxRequest request, SandboxLimits limits)
    {
        var code = Directory.CreateTempSubdirectory("ponder-sandbox-");
        int uid = UserOf(Interlocked.Increment(ref runCounter));
        try
        {
            Stage(code.FullName, request.Files);
            var start = new ProcessStartInfo(setpriv ?? bwrap)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in Arguments(code.FullName, uid, request.Command, limits))
                start.ArgumentList.Add(arg);
            var result = SandboxProcess.Run(start, request.Stdin, limits);
            // bubblewrap and prlimit report their own failures before the program starts: a broken sandbox is the
            // grader's error, never the program's runtime error.
            if (result.ExitCode == 1 && SetupFailure(result.Stderr) is { } why)
                throw new PonderException($"the sandbox failed to start the program: {why}");
            return result;
        }
        finally
        {
            if (OwnUsers)
                SandboxProcess.KillUser(uid);
            code.Delete(recursive: true);
        }
    }

    static string? SetupFailure(string stderr)
    {
        var first = stderr.Split('\n', 2)[0];
        return
            first.StartsWith("bwrap: ", StringComparison.Ordinal)
            || first.StartsWith("prlimit: ", StringComparison.Ordinal)
            || first.StartsWith("setpriv: ", StringComparison.Ordinal)
            ? first
            : null;
    }

    public void Dispose() => slots.Dispose();

    /// <summary>Processes of this process's sandboxes still alive: run by a run's own user, or running a file of
    /// <see cref="CodeDir"/> (an argument " /code/…": no host path has that form). Empty whenever no run is in
    /// progress.</summary>
    public IReadOnlyList<string> Survivors() =>
        [
            .. SandboxProcess
                .Processes()
                .Where(p =>
                    (OwnUsers && p.Uid >= uidBase && p.Uid < uidBase + 1_000)
                    || p.CommandLine.Contains(" " + CodeDir + "/", StringComparison.Ordinal)
                )
                .Select(p => $"{p.Pid} (uid {p.Uid}): {p.CommandLine}"),
        ];

    /// <summary>The argv that starts <paramref name="command"/> in the sandbox.</summary>
    internal List<string> Arguments(string codeDir, int uid, IReadOnlyList<string> command, SandboxLimits limits)
    {
        var args = new List<string>();
        if (setpriv is not null)
        {
            string id = uid.ToString(CultureInfo.InvariantCulture);
            args.AddRange([$"--reuid={id}", $"--regid={id}", "--clear-groups", "--", bwrap]);
        }
        string tmpfsSize = limits.FileBytes.ToString(CultureInfo.InvariantCulture);
        args.AddRange([
            "--unshare-all",
            "--unshare-user",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--uid",
            "1000",
            "--gid",
            "1000",
            "--hostname",
            "sandbox",
            "--ro-bind",
            "/usr",
            "/usr",
        ]);
        args.AddRange(SystemLinks());
        // /dev is bwrap's own tmpfs: its shared memory gets the capped size and the rest turns read-only. No user
        // namespace may be nested inside (one would let the program mount an uncapped tmpfs of its own).
        args.AddRange(["--disable-userns", "--proc", "/proc", "--dev", "/dev", "--size", tmpfsSize, "--tmpfs"]);
        args.AddRange(["/dev/shm", "--remount-ro", "/dev"]);
        args.AddRange(["--size", tmpfsSize, "--tmpfs", "/tmp", "--size", tmpfsSize, "--tmpfs", WorkDir]);
        // The root itself is bwrap's tmpfs: read-only, so nothing but the three capped tmpfs can be filled.
        args.AddRange(["--ro-bind", codeDir, CodeDir, "--remount-ro", "/", "--chdir", WorkDir, "--clearenv"]);
        args.AddRange([
            "--setenv",
            "PATH",
            "/usr/bin:/bin",
            "--setenv",
            "HOME",
            WorkDir,
            "--setenv",
            "LANG",
            "C.UTF-8",
        ]);
        args.AddRange(["--", "/usr/bin/prlimit", .. Rlimits(limits), "--", .. command]);
        return args;
    }

    static IEnumerable<string> Rlimits(SandboxLimits l)
    {
        static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
        return
        [
            $"--cpu={N(l.CpuSeconds)}:{N(l.CpuSeconds + 1)}",
            $"--as={N(l.MemoryBytes)}",
            $"--nproc={N(l.Processes)}",
            $"--fsize={N(l.FileBytes)}",
            $"--nofile={N(l.OpenFiles)}",
            "--core=0",
        ];
    }

    /// <summary>/bin, /lib, /lib64 and /sbin as the host has them: links into /usr (merged /usr, as Debian 12), or
    /// read-only binds.</summary>
    static IEnumerable<string> SystemLinks()
    {
        foreach (var dir in new[] { "/bin", "/sbin", "/lib", "/lib64" })
        {
            var info = new DirectoryInfo(dir);
            if (info.LinkTarget is { } target)
                yield return "--symlink";
            else if (info.Exists)
                yield return "--ro-bind";
            else
                continue;
            yield return info.LinkTarget ?? dir;
            yield return dir;
        }
    }

    static void Stage(string dir, IReadOnlyDictionary<string, string> files)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("the sandbox runs on Linux");
        // Others (the run's own user, when root) may read and traverse, never write.
        const UnixFileMode readable =
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(
            dir,
            readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute
        );
        foreach (var (name, content) in files)
        {
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.StartsWith('.'))
                throw new ArgumentException($"sandbox file name \"{name}\" must be a plain file name", nameof(files));
            string path = Path.Combine(dir, name);
            File.WriteAllText(path, content);
            File.SetUnixFileMode(path, readable);
        }
    }

    void Probe()
    {
        var result = Run(new SandboxRequest(new Dictionary<string, string>(), ["/usr/bin/true"]));
        if (result.ExitCode != 0)
        {
            throw new PonderException(
                $"bubblewrap could not start a sandbox here (exit {result.ExitCode}: {result.Stderr.Trim()}); it "
                    + "needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
                    + "user.max_user_namespaces > 0)."
            );
        }
    }

    static PonderException Missing(string tool) =>
        new($"the code sandbox needs {tool}, which is not installed: {InstallHint}.");

    /// <summary>The absolute path of <paramref name="tool"/> on PATH (or in /usr/bin), or null.</summary>
    internal static string? Find(string tool)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return dirs.Append("/usr/bin")
            .Append("/usr/sbin")
            .Select(d => Path.Combine(d, tool))
            .FirstOrDefault(File.Exists);
    }
}
