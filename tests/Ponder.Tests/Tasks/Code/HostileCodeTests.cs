using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using Ponder.Sandbox;
using Ponder.Tasks;
using Ponder.Tasks.Code;

namespace Ponder.Tests.Tasks.Code;

/// <summary>
/// Programs written to escape, starve or fool the grader. Each must be contained, get the right verdict, leave
/// nothing running and write nothing outside its work directory; then an honest program grades normally.
/// </summary>
[Collection(CodeFixture.Collection)]
public sealed class HostileCodeTests : IDisposable
{
    readonly TempDir dir = new();
    readonly CodeTask task;
    readonly CodeTask patient;
    readonly Problem problem;

    public HostileCodeTests()
    {
        // One standard-input case: read nothing, print "ok".
        string data = dir.File("hostile.jsonl");
        File.WriteAllText(
            data,
            """{"id": "ok", "question": "Print ok.", "tests": [{"input": "", "output": "ok\n"}], "memory_limit": 128}"""
                + "\n"
        );
        task = CodeFixture.Task(data, timeLimit: 1);
        // For programs that must be stopped by another limit than time, even on a machine too busy for a second.
        patient = CodeFixture.Task(data, timeLimit: 10);
        problem = task.Problems(TaskSplit.Test, null).Single();
    }

    public void Dispose() => dir.Dispose();

    /// <summary>Grades <paramref name="program"/>, then checks containment and that an honest program still
    /// passes.</summary>
    void AssertContained(string program, string verdict, CodeTask? with = null)
    {
        // The time limit is the problem's own, set when its task read it.
        var by = with ?? task;
        var grade = by.Grade(by.Problems(TaskSplit.Test, null).Single(), CodeFixture.Answer(program));

        Assert.Equal(verdict, grade.Verdict);
        Assert.False(grade.Correct);
        Assert.Empty(CodeFixture.Sandbox.Survivors());
        Assert.Equal([dir.File("hostile.jsonl")], Directory.EnumerateFileSystemEntries(dir.Path));
        Assert.Equal("accepted", task.Grade(problem, CodeFixture.Answer("print('ok')\n")).Verdict);
    }

    [Fact]
    public void Given_a_fork_bomb_Then_the_process_limit_stops_it() =>
        AssertContained("import os\nwhile True:\n    os.fork()\n", "runtime error");

    [Fact]
    public void Given_a_memory_hog_Then_it_gets_memory_limit() =>
        AssertContained("hog = []\nwhile True:\n    hog.append(bytearray(1 << 24))\n", "memory limit", patient);

    [Fact]
    public void Given_an_infinite_loop_Then_it_gets_time_limit() =>
        AssertContained("while True:\n    pass\n", "time limit");

    [Fact]
    public void Given_a_sleep_past_the_timeout_Then_the_wall_clock_kills_it() =>
        AssertContained("import time\ntime.sleep(600)\nprint('ok')\n", "time limit");

    [Fact]
    public void Given_a_gigabyte_of_output_Then_the_output_cap_kills_it()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        AssertContained(
            "import sys\nchunk = 'y' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)\nprint('ok')\n",
            "output limit"
        );
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "killed at the cap, not after writing it all");
    }

    [Fact]
    public void Given_a_network_connect_Then_no_connection_reaches_the_host()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        AssertContained(
            $"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\nprint('ok')\n",
            "runtime error"
        );
        AssertContained(
            "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)\nprint('ok')\n",
            "runtime error"
        );
        Assert.False(listener.Pending());
    }

    [Fact]
    public void Given_reads_of_secrets_Then_none_is_visible()
    {
        // The expected outputs live in the problems file on the host; /etc/shadow and the home directory are the
        // host's secrets. The program reports what it could open.
        string[] targets =
        [
            "/etc/shadow",
            "/etc/passwd",
            CodeFixture.Problems,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            "/root",
            "/home",
            AppContext.BaseDirectory,
        ];
        string program =
            "import os\nseen = []\nfor p in "
            + Python(targets)
            + ":\n"
            + "    try:\n        seen.append(p if os.listdir(p) is not None else p)\n    except NotADirectoryError:\n"
            + "        seen.append(p + ':' + open(p).read(20))\n    except OSError:\n        pass\n"
            + "print('ok' if not seen else seen)\n";
        var run = CodeFixture.Sandbox.Run(Stdio(program));

        Assert.Equal("ok\n", run.Stdout);
        // A program that searches the whole file system for the expected output finds nothing either.
        AssertContained(
            "import os\nneedle = b'digit_sum(1234)' + b' == 10'\nfor root, dirs, files in os.walk('/'):\n"
                + "    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ('/proc', '/usr', '/dev')]\n"
                + "    for f in files:\n"
                + "        try:\n            if needle in open(os.path.join(root, f), 'rb').read():\n"
                + "                print('ok')\n        except OSError:\n            pass\n",
            "wrong answer"
        );
    }

    [Fact]
    public void Given_writes_outside_the_work_dir_Then_none_lands_on_the_host()
    {
        string hostFile = Path.Combine(dir.Path, "escaped.txt");
        string[] targets = [hostFile, "/usr/escaped.txt", "/code/solution.py", "/escaped.txt", "/proc/escaped"];
        string program =
            "written = []\nfor p in "
            + Python(targets)
            + ":\n    try:\n        open(p, 'w').write('x')\n"
            + "        written.append(p)\n    except OSError:\n        pass\nopen('/work/inside.txt', 'w').write('x')\n"
            + "print('ok' if not written else written)\n";
        var run = CodeFixture.Sandbox.Run(Stdio(program));

        Assert.Equal("ok\n", run.Stdout);
        Assert.False(File.Exists(hostFile));
        Assert.False(File.Exists("/usr/escaped.txt"));
        Assert.False(File.Exists("/escaped.txt"));
        // Files the program may write are its own: a second run does not see the first one's.
        Assert.Equal(
            "False\n",
            CodeFixture.Sandbox.Run(Stdio("import os\nprint(os.path.exists('/work/inside.txt'))\n")).Stdout
        );
    }

    [Fact]
    public void Given_kill_minus_one_Then_only_the_program_dies() =>
        AssertContained("import os, signal\nos.kill(-1, signal.SIGKILL)\nprint('ok')\n", "runtime error");

    [Fact]
    public void Given_a_daemon_that_outlives_the_program_Then_it_is_killed_with_the_run()
    {
        string marker = "ponder-daemon-" + Guid.NewGuid().ToString("N");
        string program =
            "import os, sys\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            + $"        os.execv('/usr/bin/python3', ['python3', '-c', 'import time; time.sleep(60)', '{marker}'])\n"
            + "    os._exit(0)\nimport time\ntime.sleep(0.5)\nprint('ok', end='')\n";
        var run = CodeFixture.Sandbox.Run(Stdio(program));

        Assert.Equal((0, "ok"), (run.ExitCode, run.Stdout));
        Thread.Sleep(200);
        Assert.DoesNotContain(SandboxProcessList(), c => c.Contains(marker, StringComparison.Ordinal));
        Assert.Empty(CodeFixture.Sandbox.Survivors());
    }

    [Fact]
    public void Given_a_program_that_raises_its_own_limits_Then_the_limits_hold()
    {
        string program =
            "import resource\nlimits = (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_NPROC)\n"
            + "for r in limits:\n    try:\n"
            + "        resource.setrlimit(r, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
            + "    except (ValueError, OSError):\n        pass\n"
            + "print([resource.getrlimit(r) for r in limits], flush=True)\nwhile True:\n    pass\n";
        var run = CodeFixture.Sandbox.Run(Stdio(program));

        // CPU 1 s soft, 2 s hard; 512 MiB of address space; 8 processes: as set, and SIGXCPU ended the loop.
        Assert.Equal("[(1, 2), (536870912, 536870912), (8, 8)]\n", run.Stdout);
        Assert.True(run.CpuTimedOut, $"exit {run.ExitCode}");
        AssertContained(program, "time limit");
    }

    [Fact]
    public void Given_a_zip_bomb_Then_memory_and_file_limits_contain_it()
    {
        // 512 MiB of zeros, deflated: the program inflates it in memory, then onto its disk.
        var zeros = new byte[1 << 20];
        using var packed = new MemoryStream();
        using (var z = new ZLibStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (int i = 0; i < 512; i++)
                z.Write(zeros);
        }
        string bomb = Convert.ToBase64String(packed.ToArray());
        Assert.Equal(10, CodeTests.Of(patient.Problems(TaskSplit.Test, null).Single()).TimeLimitSeconds);
        AssertContained(
            $"import base64, zlib\nzlib.decompress(base64.b64decode('{bomb}'))\nprint('ok')\n",
            "memory limit",
            patient
        );
        AssertContained(
            $"import base64, zlib\nd = zlib.decompressobj()\ndata = base64.b64decode('{bomb}')\n"
                + "with open('/work/out', 'wb') as f:\n    for i in range(0, len(data), 4096):\n"
                + "        f.write(d.decompress(data[i:i + 4096]))\nprint('ok')\n",
            "runtime error",
            patient
        );
    }

    [Fact]
    public void Given_a_nested_user_namespace_Then_the_program_cannot_make_one() =>
        AssertContained(
            "import subprocess\nsubprocess.run(['/usr/bin/unshare', '-Urm', 'true'], check=True)\nprint('ok')\n",
            "runtime error"
        );

    [Fact]
    public void Given_writes_to_dev_and_shared_memory_Then_dev_is_read_only_and_shared_memory_capped()
    {
        string program =
            "import os\nwritten = 0\ntry:\n    while True:\n"
            + "        with open('/dev/shm/f%d' % written, 'wb') as f:\n            f.write(b'x' * (1 << 20))\n"
            + "        written += 1\nexcept OSError:\n    pass\ntry:\n    open('/dev/escaped', 'w')\n"
            + "    print('dev writable')\nexcept OSError:\n    pass\nprint(written)\n";
        var run = CodeFixture.Sandbox.Run(Stdio(program));

        // The shared-memory tmpfs is capped at the file limit: 16 MiB, so at most 16 files of 1 MiB.
        Assert.True(int.Parse(run.Stdout.Trim(), CultureInfo.InvariantCulture) <= 16, run.Stdout);
        Assert.Empty(CodeFixture.Sandbox.Survivors());
    }

    static SandboxRequest Stdio(string program) =>
        new(
            new Dictionary<string, string>(CodeLanguages.Python.Harness) { ["solution.py"] = program },
            CodeLanguages.Python.StdioCommand,
            Limits: new SandboxLimits { CpuSeconds = 1, WallClock = TimeSpan.FromSeconds(5) }
        );

    static string Python(IEnumerable<string> paths) => "[" + string.Join(", ", paths.Select(p => $"'{p}'")) + "]";

    static IEnumerable<string> SandboxProcessList() =>
        Directory
            .EnumerateDirectories("/proc")
            .Select(d => Path.Combine(d, "cmdline"))
            .Select(f =>
            {
                try
                {
                    return File.ReadAllText(f);
                }
                catch (IOException)
                {
                    return "";
                }
            });
}
