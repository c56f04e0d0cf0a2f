using Spectre.Console;

namespace Ponder.Cli;

/// <summary>A progress bar around synchronous tensor work (it runs on the calling thread: DisposeScopes are
/// thread-static).</summary>
static class CliProgress
{
    public static T Run<T>(CliOutput io, string description, int total, Func<IProgress<int>, T> work)
    {
        if (!io.Console.Profile.Capabilities.Interactive)
            return work(new Progress<int>(_ => { }));
        return io
            .Console.Progress()
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn()
            )
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
                return work(new Counter(task));
            });
    }

    /// <summary>Synchronous IProgress: reports arrive on the worker thread, in order.</summary>
    sealed class Counter(ProgressTask task) : IProgress<int>
    {
        public void Report(int value) => task.Increment(value);
    }
}
