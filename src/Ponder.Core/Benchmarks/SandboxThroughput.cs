using System.Diagnostics;
using Ponder.Sandbox;
using Ponder.Tasks.Code;

namespace Ponder.Benchmarks;

/// <summary>What <c>ponder bench sandbox</c> reports: medians over repeats.</summary>
/// <param name="ProgramsPerSecond">Trivial programs graded per second by the judge with the sandbox's workers (half
/// assert tests, half one standard-input case; one sandboxed run each).</param>
/// <param name="SandboxRunSeconds">One sandboxed run of a trivial program, one at a time.</param>
/// <param name="BareRunSeconds">The same program and harness run by <c>/usr/bin/python3</c> directly.</param>
/// <param name="Workers">Sandbox workers.</param>
/// <param name="Programs">Programs per repeat.</param>
public sealed record SandboxThroughputResult(
    double ProgramsPerSecond,
    double SandboxRunSeconds,
    double BareRunSeconds,
    int Workers,
    int Programs
)
{
    /// <summary>How many times longer a sandboxed run takes than a bare one.</summary>
    public double OverheadRatio => SandboxRunSeconds / BareRunSeconds;
}

/// <summary>
/// The code reward's throughput and the sandbox's cost: graded programs per second with the workers, and one
/// sandboxed run against one bare <c>python3</c> run of the same harness and program, timed in one process one
/// after the other (the ratio, not the seconds, is what carries to another machine).
/// </summary>
public static class SandboxThroughput
{
    const string Program = "x = int(input())\nprint(x + 1)\n";

    const string Function = "def inc(x):\n    return x + 1\n";

    public static SandboxThroughputResult Measure(Bubblewrap sandbox, int programs, int repeats)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        if (programs < 2 || repeats < 1)
            throw new PonderException($"--programs {programs} must be ≥ 2 and --repeats {repeats} ≥ 1.");
        var judge = new CodeJudge(sandbox, CodeLanguages.Python);
        var stdio = new CodeTests(null, null, [new StdioCase("41\n", "42\n")], 2, 256);
        var function = new CodeTests(["assert inc(41) == 42"], null, null, 2, 256);
        var rates = new List<double>();
        var sandboxed = new List<double>();
        var bare = new List<double>();
        using var scratch = new TempFiles();
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = sandbox.Workers };
            int accepted = 0;
            CodeJudgement? failed = null;
            Parallel.For(
                0,
                programs,
                parallel,
                i =>
                {
                    var j = i % 2 == 0 ? judge.Judge(Program, stdio) : judge.Judge(Function, function);
                    if (j.Verdict == CodeVerdict.Accepted)
                        Interlocked.Increment(ref accepted);
                    else
                        failed = j;
                }
            );
            rates.Add(programs / clock.Elapsed.TotalSeconds);
            if (accepted != programs)
            {
                throw new PonderException(
                    $"{programs - accepted} of {programs} trivial programs were not accepted, e.g. "
                        + $"{failed?.Verdict.Name()} ({failed?.Detail}); is the machine overloaded?"
                );
            }
            sandboxed.Add(Median(Runs(programs / 2, () => Timed(() => sandbox.Run(Request())))));
            bare.Add(Median(Runs(programs / 2, () => Bare(scratch.Dir))));
        }
        return new SandboxThroughputResult(Median(rates), Median(sandboxed), Median(bare), sandbox.Workers, programs);
    }

    static SandboxRequest Request() =>
        new(
            new Dictionary<string, string>(CodeLanguages.Python.Harness) { ["solution.py"] = Program },
            CodeLanguages.Python.StdioCommand,
            "41\n"
        );

    /// <summary>The same harness and program, unsandboxed, on the host.</summary>
    static TimeSpan Bare(string dir)
    {
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        string[] args = ["-I", "-B", Path.Combine(dir, "stdio_harness.py")];
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardInput.Write("41\n");
        process.StandardInput.Close();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (output != "42\n")
            throw new InvalidOperationException($"the bare run printed \"{output}\"");
        return clock.Elapsed;
    }

    /// <summary>The whole call: staging the files and sweeping for survivors included.</summary>
    static TimeSpan Timed(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed;
    }

    static List<double> Runs(int count, Func<TimeSpan> run) =>
        [.. Enumerable.Range(0, count).Select(_ => run().TotalSeconds)];

    static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>The harness and program on the host for the bare runs; the harness reads the program from its
    /// sandbox path, so a copy points it at the host file.</summary>
    sealed class TempFiles : IDisposable
    {
        public TempFiles()
        {
            Dir = Directory.CreateTempSubdirectory("ponder-bench-").FullName;
            string harness = PythonHarness.Stdio.Replace(
                "/code/solution.py",
                Path.Combine(Dir, "solution.py"),
                StringComparison.Ordinal
            );
            File.WriteAllText(Path.Combine(Dir, "stdio_harness.py"), harness);
            File.WriteAllText(Path.Combine(Dir, "solution.py"), Program);
        }

        public string Dir { get; }

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }
}
