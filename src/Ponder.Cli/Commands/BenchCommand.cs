using System.CommandLine;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench</c>: throughput measured against this machine's own matmul peak.</summary>
static class BenchCommand
{
    public static Command Create(CliOutput io) =>
        new("bench", "Measure throughput: training and generation against this machine's FLOP peak, and grading.")
        {
            BenchGradeCommand.Create(io),
            BenchGenerateCommand.Create(io),
            BenchTrainCommand.Create(io),
            BenchServeCommand.Create(io),
            BenchSandboxCommand.Create(io),
        };
}
