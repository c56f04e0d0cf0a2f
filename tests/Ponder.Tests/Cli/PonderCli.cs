namespace Ponder.Tests.Cli;

/// <summary>Runs the ponder command line in-process and captures what it prints.</summary>
static class PonderCli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Ponder.Cli.Cli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
