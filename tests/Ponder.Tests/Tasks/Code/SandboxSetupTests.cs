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
        Assert.Equal("/", args[args.IndexOf("--remount-ro") + 1]);
        Assert.DoesNotContain("--share-net", args);
        Assert.Equal(
            ["--cpu=2:3", "--as=536870912", "--nproc=32", "--fsize=16777216", "--nofile=64", "--core=0"],
            args.SkipWhile(a => a != "/usr/bin/prlimit").Skip(1).TakeWhile(a => a != "--")
        );
        if (sandbox.OwnUsers)
            Assert.Contains($"--reuid={sandbox.UserOf(7)}", args);
    }
}
