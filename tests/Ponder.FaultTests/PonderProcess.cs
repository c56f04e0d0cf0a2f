using System.Diagnostics;
using System.Text;

namespace Ponder.FaultTests;

/// <summary>The real <c>ponder</c> command as a child process (<c>dotnet ponder.dll</c> from this project's output),
/// with one libtorch thread so that runs are deterministic and two trials do not fight for the cores.</summary>
sealed class PonderProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder stdout = new(),
        stderr = new();

    PonderProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    static void Append(StringBuilder to, string? line)
    {
        if (line is null)
            return;
        lock (to)
            to.AppendLine(line);
    }

    public static PonderProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ponder.dll"));
        foreach (string a in args)
            info.ArgumentList.Add(a);
        info.Environment["PONDER_THREADS"] = "1";
        return new PonderProcess(Process.Start(info)!);
    }

    /// <summary>Runs to the end and returns the exit code and what it printed.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var p = Start(args);
        int code = p.WaitForExit(TimeSpan.FromMinutes(5));
        return (code, p.Out, p.Err);
    }

    public int Id => process.Id;
    public bool HasExited => process.HasExited;

    public string Out
    {
        get
        {
            lock (stdout)
                return stdout.ToString();
        }
    }

    public string Err
    {
        get
        {
            lock (stderr)
                return stderr.ToString();
        }
    }

    /// <summary>SIGKILL: no handler runs, no file is closed — what an OOM killer or a pulled plug does.</summary>
    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { } // it had already exited
        process.WaitForExit();
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"ponder did not exit within {timeout}: {Err}");
        }
        process.WaitForExit(); // flushes the redirected streams
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
            Kill();
        process.Dispose();
    }
}
