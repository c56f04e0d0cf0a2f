using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ponder.Sandbox;

/// <summary>The host side of one sandboxed run: feeds standard input, reads capped output, enforces the wall clock
/// and kills what is left.</summary>
static class SandboxProcess
{
    const int StderrBytes = 64 << 10;

    /// <summary>How long output readers may still take after the sandbox ended (its pipes close when the last process
    /// in it dies).</summary>
    static readonly TimeSpan Drain = TimeSpan.FromSeconds(2);

    /// <remarks>Input and output are pumped on threads of their own, never the thread pool's: a grader runs
    /// inside busy processes (a trainer, a test host) whose pool may be starved, and a late reader would lose
    /// output.</remarks>
    public static SandboxResult Run(ProcessStartInfo start, string stdin, SandboxLimits limits)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bwrap did not start");
        var stdout = new CappedReader(process.StandardOutput.BaseStream, limits.OutputBytes, () => Kill(process));
        var stderr = new CappedReader(process.StandardError.BaseStream, StderrBytes, null, keepTail: true);
        var pumps = new[]
        {
            Pump(() => Feed(process.StandardInput.BaseStream, stdin)),
            Pump(stdout.Read),
            Pump(stderr.Read),
        };
        bool timedOut = !process.WaitForExit(limits.WallClock);
        if (timedOut)
            Kill(process);
        foreach (var pump in pumps)
            pump.Join(Drain);
        return new SandboxResult(
            process.HasExited ? process.ExitCode : 137,
            timedOut && !stdout.Capped,
            stdout.Capped,
            stdout.Text(),
            stderr.Text(),
            clock.Elapsed
        );
    }

    static Thread Pump(Action work)
    {
        var thread = new Thread(() => work()) { IsBackground = true, Name = "sandbox pipe" };
        thread.Start();
        return thread;
    }

    static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(Drain);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    static void Feed(Stream input, string text)
    {
        try
        {
            using (input)
                input.Write(Encoding.UTF8.GetBytes(text));
        }
        catch (IOException)
        {
            // The program exited without reading all its input: not an error.
        }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Kills every process whose real user is <paramref name="uid"/> (a run's own user, so nothing else):
    /// a daemon the program started cannot outlive its run.</summary>
    public static void KillUser(int uid)
    {
        foreach (var (pid, _, _) in Processes().Where(p => p.Uid == uid))
        {
            try
            {
                using var found = Process.GetProcessById(pid);
                found.Kill();
            }
            catch (Exception e)
                when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It ended while we looked.
            }
        }
    }

    /// <summary>The live (not zombie) processes of the machine: id, real user id and command line.</summary>
    public static IEnumerable<(int Pid, int Uid, string CommandLine)> Processes()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            string[] status;
            string commandLine;
            try
            {
                status = File.ReadAllLines(Path.Combine(dir, "status"));
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // it ended while we looked
            }
            bool zombie = status.Any(l =>
                l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal)
            );
            if (zombie)
                continue;
            var uid = status
                .FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))
                ?.Split('\t', StringSplitOptions.RemoveEmptyEntries);
            if (uid is { Length: > 1 } && int.TryParse(uid[1], CultureInfo.InvariantCulture, out int id))
                yield return (pid, id, commandLine);
        }
    }

    /// <summary>Reads a stream to its end, keeping the first <c>cap</c> bytes; past them, calls <c>overflow</c>
    /// (which kills the run) when given, else drops the rest — or, with <c>keepTail</c>, keeps the last <c>cap</c>
    /// bytes instead (standard error: a traceback ends it).</summary>
    sealed class CappedReader(Stream stream, int cap, Action? overflow, bool keepTail = false)
    {
        System.Buffers.ArrayBufferWriter<byte> kept = new();
        readonly Lock gate = new();
        volatile bool capped;

        public bool Capped => capped;

        public void Read()
        {
            var buffer = new byte[16 << 10];
            try
            {
                int n;
                while ((n = stream.Read(buffer)) > 0)
                {
                    lock (gate)
                    {
                        if (keepTail)
                        {
                            Keep(buffer.AsSpan(0, n));
                            continue;
                        }
                        int room = Math.Min(n, cap - kept.WrittenCount);
                        if (room > 0)
                            System.Buffers.BuffersExtensions.Write(kept, buffer.AsSpan(0, room));
                        if (room == n)
                            continue;
                    }
                    if (!capped)
                    {
                        capped = true;
                        if (overflow is not null)
                        {
                            overflow();
                            return;
                        }
                    }
                }
            }
            catch (IOException) { }
            catch (ObjectDisposedException) { }
        }

        /// <summary>Appends, then keeps only the last <c>cap</c> bytes once twice that have piled up.</summary>
        void Keep(ReadOnlySpan<byte> data)
        {
            System.Buffers.BuffersExtensions.Write(kept, data);
            if (kept.WrittenCount <= 2 * cap)
                return;
            var last = kept.WrittenSpan[^cap..].ToArray();
            kept = new System.Buffers.ArrayBufferWriter<byte>();
            System.Buffers.BuffersExtensions.Write(kept, last);
        }

        public string Text()
        {
            lock (gate)
            {
                var span = kept.WrittenSpan;
                return Encoding.UTF8.GetString(keepTail && span.Length > cap ? span[^cap..] : span);
            }
        }
    }
}
