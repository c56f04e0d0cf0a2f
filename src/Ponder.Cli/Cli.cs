using System.CommandLine;
using Ponder.Cli.Commands;
using Ponder.Runtime;
using Spectre.Console;

namespace Ponder.Cli;

/// <summary>The <c>ponder</c> command line. Bad input ends in one line on stderr and exit code 1, never a stack
/// trace.</summary>
public static class Cli
{
    /// <summary>Columns of output that is not a terminal (a file, a pipe, a log): wide, so tables such as the demo's
    /// summary keep their headers and numbers whole instead of wrapping at the 80 columns Spectre assumes.</summary>
    internal const int RedirectedWidth = 200;

    /// <summary>The console tables and markup go to: the terminal's own width and colours when
    /// <paramref name="stdout"/> is an interactive terminal, else plain text <see cref="RedirectedWidth"/>
    /// wide.</summary>
    internal static IAnsiConsole CreateConsole(TextWriter stdout)
    {
        bool terminal = stdout == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(
            new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stdout),
                Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
                ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            }
        );
        if (!terminal)
            console.Profile.Width = RedirectedWidth;
        return console;
    }

    /// <summary>Every verb of the command line, writing to <paramref name="io"/>.</summary>
    internal static RootCommand CreateRoot(CliOutput io) =>
        OptionParsing.Apply(
            new("Ponder: language models that reason — train, scale at test time, serve.")
            {
                InitCommand.Create(io),
                InfoCommand.Create(io),
                TemplateCommand.Create(io),
                GenerateCommand.Create(io),
                BenchCommand.Create(io),
                ExportCommand.Create(io),
                MergeCommand.Create(io),
                GradeCommand.Create(io),
                EvalCommand.Create(io),
                SftCommand.Create(io),
                RlCommand.Create(io),
                DemoCommand.Create(io),
                ScoreCommand.Create(io),
                RunsCommand.Create(io),
                ScorerCommand.Create(io),
                ScaleCommand.Create(io),
                ServeCommand.Create(io),
            }
        );

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var io = new CliOutput(stdout, stderr, CreateConsole(stdout));
        var root = CreateRoot(io);
        // PONDER_THREADS=N fixes libtorch's intra-op threads (default: one per core, tuned to a shared CPU by the
        // ThreadTuner where the process enabled it).
        if (int.TryParse(Environment.GetEnvironmentVariable("PONDER_THREADS"), out int threads) && threads > 0)
            Runtime.ThreadTuner.Shared.Pin(threads);
        var parsed = root.Parse(args);
        if (OptionParsing.Error(parsed) is { } invalid)
        {
            stderr.WriteLine($"error: {invalid}");
            return 1;
        }

        try
        {
            return parsed.Invoke(
                new InvocationConfiguration
                {
                    Output = stdout,
                    Error = stderr,
                    EnableDefaultExceptionHandler = false,
                }
            );
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: {Describe(e)}");
            if (Environment.GetEnvironmentVariable("PONDER_DEBUG") == "1")
                stderr.WriteLine(e);
            return 1;
        }
    }

    /// <summary>One line that says what went wrong and, for our own errors, what to change.</summary>
    static string Describe(Exception e) =>
        e switch
        {
            PonderException p => p.Message,
            TypeInitializationException
            or DllNotFoundException
            or NotSupportedException when TorchRuntime.IsNativeLoadFailure(e) => TorchRuntime.Explain(e),
            AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
            IOException or UnauthorizedAccessException => e.Message,
            _ => $"{e.GetType().Name}: {e.Message} (set PONDER_DEBUG=1 for the stack trace)",
        };
}

/// <summary>Where a command writes: plain text/JSON to stdout, messages to stderr, rich output through
/// Spectre.</summary>
public sealed record CliOutput(TextWriter Out, TextWriter Error, IAnsiConsole Console);
