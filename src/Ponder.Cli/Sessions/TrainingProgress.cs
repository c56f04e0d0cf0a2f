using Spectre.Console;

namespace Ponder.Cli.Sessions;

/// <summary>Runs a training loop under a progress bar (or with periodic plain lines when the output is not a terminal).
/// The loop runs on the calling thread: tensor work must not hop threads.</summary>
static class TrainingProgress
{
    /// <param name="body">The loop; it calls its argument after each step with (step, description).</param>
    public static void Run(
        CliOutput io,
        string name,
        int startStep,
        int totalSteps,
        int plainEvery,
        Action<Action<int, string>> body
    )
    {
        if (!io.Console.Profile.Capabilities.Interactive)
        {
            body(
                (step, text) =>
                {
                    if (step % plainEvery == 0 || step == totalSteps)
                        io.Error.WriteLine($"{name} step {step}/{totalSteps} {text}");
                }
            );
            return;
        }
        io.Console.Progress()
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn()
            )
            .Start(ctx =>
            {
                var bar = ctx.AddTask(name, maxValue: totalSteps);
                bar.Value = startStep;
                body(
                    (step, text) =>
                    {
                        bar.Value = step;
                        bar.Description = $"{name} {Markup.Escape(text)}";
                    }
                );
            });
    }
}
