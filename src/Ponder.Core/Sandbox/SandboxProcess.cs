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

    public static SandboxResult Run(ProcessStartInfo start, string stdin, SandboxLimits limits)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bwrap did not start");
        using var killed = new CancellationTokenSource();
        var stdout = new CappedReader(process.StandardOutput.BaseStream, limits.OutputBytes, killed);
        var stderr = new CappedReader(process.StandardError.BaseStream, StderrBytes, null);
        var readers = Task.WhenAll(stdout.Pump(), stderr.Pump());
        _ = Feed(process.StandardInput.BaseStream, stdin);
        bool timedOut = false;
        try
        {
            using var wall = CancellationTokenSource.CreateLinkedTokenSource(killed.Token);
            wall.CancelAfter(limits.WallClock);
            process.WaitForExitAsync(wall.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            timedOut = !stdout.Capped;
            Kill(process);
        }
        readers.Wait(Drain);
        return new SandboxResult(
            process.HasExited ? process.ExitCode : 137,
            timedOut,
            stdout.Capped,
            stdout.Text(),
            stderr.Text(),
            clock.Elapsed
        );
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

    static async Task Feed(Stream input, string text)
    {
        try
        {
            await using (input)
                await input.WriteAsync(Encoding.UTF8.GetBytes(text));
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

    /// <summary>Reads a stream to its end, keeping the first <c>cap</c> bytes; past them, cancels
    /// <c>overflow</c> (which kills the run) when given, else drops the rest.</summary>
    sealed class CappedReader(Stream stream, int cap, CancellationTokenSource? overflow)
    {
        readonly System.Buffers.ArrayBufferWriter<byte> kept = new();

        public bool Capped { get; private set; }

        public async Task Pump()
        {
            var buffer = new byte[16 << 10];
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    int room = Math.Min(n, cap - kept.WrittenCount);
                    if (room > 0)
                        System.Buffers.BuffersExtensions.Write(kept, buffer.AsSpan(0, room));
                    if (room < n && !Capped)
                    {
                        Capped = true;
                        if (overflow is not null)
                        {
                            await overflow.CancelAsync();
                            return;
                        }
                    }
                }
            }
            catch (IOException) { }
            catch (ObjectDisposedException) { }
        }

        public string Text() => Encoding.UTF8.GetString(kept.WrittenSpan);
    }
}
