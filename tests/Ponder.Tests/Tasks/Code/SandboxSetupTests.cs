using Ponder.Sandbox;

namespace Ponder.Tests.Tasks.Code;

[Collection(CodeFixture.Collection)]
public sealed class SandboxSetupTests
{
    [Fact]
    public void Given_a_machine_without_bubblewrap_Then_the_sandbox_refuses_with_how_to_install_it()
    {
        var e = Assert.Throws<PonderException>(() =>
            Bubblewrap.Open(2, tool => tool == "bwrap" ? null : "/usr/bin/" + tool)
        );

        Assert.Contains(
            "needs bwrap (package bubblewrap), which is not installed",
            e.Message,
            StringComparison.Ordinal
        );
        Assert.Contains("sudo apt-get install bubblewrap python3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_limits_out_of_range_Then_validation_names_the_limit()
    {
        var e = Assert.Throws<PonderException>(() => new SandboxLimits { MemoryBytes = 1 << 20 }.Validate());
        Assert.Contains("memory limit 1048576 bytes: must be at least 32 MiB", e.Message, StringComparison.Ordinal);
        Assert.Throws<PonderException>(() => new SandboxLimits { CpuSeconds = 0 }.Validate());
        Assert.Throws<PonderException>(() => Bubblewrap.Open(0));
    }

    [Fact]
    public void Given_a_run_When_its_arguments_are_built_Then_every_namespace_is_new_and_the_root_is_read_only()
    {
        using var sandbox = Bubblewrap.Open(1);
        var args = sandbox.Arguments("/tmp/x", sandbox.UserOf(7), ["/usr/bin/python3"], new SandboxLimits());

        Assert.Contains("--unshare-all", args);
        Assert.Contains("--die-with-parent", args);
        var readOnly = args.Select((a, i) => (a, i)).Where(x => x.a == "--remount-ro").Select(x => args[x.i + 1]);
        Assert.Equal(["/dev", "/"], readOnly);
        Assert.Contains("--disable-userns", args);
        Assert.DoesNotContain("--share-net", args);
        Assert.Equal(
            ["--cpu=2:3", "--as=536870912", "--nproc=8", "--fsize=16777216", "--nofile=64", "--core=0"],
            args.SkipWhile(a => a != "/usr/bin/prlimit").Skip(1).TakeWhile(a => a != "--")
        );
        if (sandbox.OwnUsers)
            Assert.Contains($"--reuid={sandbox.UserOf(7)}", args);
    }

    [Fact]
    public void Given_a_starved_thread_pool_When_a_program_runs_Then_its_output_is_complete()
    {
        // A grader runs inside busy processes. Block more pool threads than the pool has, for 4 s: work queued to the
        // pool now waits for the pool to grow, one thread about every half second.
        var release = new TaskCompletionSource();
        int blockers = ThreadPool.ThreadCount + 8;
        for (int i = 0; i < blockers; i++)
            ThreadPool.QueueUserWorkItem(_ => release.Task.Wait(TimeSpan.FromSeconds(4)));
        try
        {
            var run = CodeFixture.Sandbox.Run(
                new SandboxRequest(
                    new Dictionary<string, string> { ["p.py"] = "print(input()[::-1])\n" },
                    ["/usr/bin/python3", "-I", "/code/p.py"],
                    "olleh\n"
                )
            );

            Assert.Equal((0, "hello\n"), (run.ExitCode, run.Stdout));
        }
        finally
        {
            release.SetResult();
        }
    }
}
