using Ponder.Runs;
using Ponder.Training;

namespace Ponder.Cli.Sessions;

/// <summary>The run folder of a training command (<c>--out</c>): a new run, or the continuation of one.</summary>
static class RunFolder
{
    public static string Checkpoints(string outDir) => Path.Combine(outDir, "checkpoints");

    /// <summary>The checkpoint to resume from, or null for a new run; refuses to overwrite a run without
    /// --resume.</summary>
    public static string? ResumePoint(string outDir, bool resume)
    {
        string? latest = TrainingCheckpoint.Latest(Checkpoints(outDir));
        if (latest is not null && !resume)
        {
            throw new PonderException(
                $"{outDir}: already holds a run (checkpoints); pass --resume to continue it or choose another --out."
            );
        }

        return latest;
    }

    /// <summary>Opens the run's store. On resume, checks that only settings a resume may change have changed
    /// (<see cref="ResumeCheck"/>), records those that did, and drops what was logged after the checkpoint's step (it
    /// is logged again). A folder whose run never wrote a checkpoint holds nothing to continue: it is started over in
    /// place (its metrics, samples and TensorBoard events dropped, config.json rewritten).</summary>
    public static RunStore Store(CliOutput io, string outDir, string kind, object config, string? resumedFrom, int step)
    {
        if (resumedFrom is not null)
        {
            var changes = ResumeCheck.Check(outDir, config);
            var store = RunStore.Open(outDir);
            store.TruncateAfter(step);
            if (changes.Count > 0)
                ResumeCheck.Record(outDir, config, step, changes);
            io.Error.WriteLine($"resuming {outDir} at step {step} ({resumedFrom})");
            return store;
        }
        if (File.Exists(Path.Combine(outDir, RunStore.DatabaseFile)))
        {
            var store = RunStore.Open(outDir);
            store.Restart(config);
            io.Error.WriteLine($"{outDir}: the run there wrote no checkpoint; starting it over");
            return store;
        }
        string full = Path.GetFullPath(outDir);
        return RunStore.Create(Path.GetDirectoryName(full)!, kind, Path.GetFileName(full), config);
    }
}
