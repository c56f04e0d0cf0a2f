using System.CommandLine;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench</c>: throughput measured against this machine's own matmul peak.</summary>
static class BenchCommand
{
    public static Command Create(CliOutput io) =>
        new("bench", "Measure training and generation throughput as fractions of this machine's FLOP peak.")
        {
            BenchGenerateCommand.Create(io),
            BenchTrainCommand.Create(io),
            BenchServeCommand.Create(io),
        };
}
