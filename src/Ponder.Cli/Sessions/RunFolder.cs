using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>Opens the run's store: on resume, drops what was logged after the checkpoint's step (it is logged
    /// again), after checking that the task and the training data are the run's (more steps are fine; other data would
    /// not continue the run exactly).</summary>
    public static RunStore Store(CliOutput io, string outDir, string kind, object config, string? resumedFrom, int step)
    {
        if (resumedFrom is not null)
        {
            string configFile = Path.Combine(outDir, RunStore.ConfigFile);
            JsonNode? stored;
            try
            {
                stored = File.Exists(configFile) ? JsonNode.Parse(File.ReadAllText(configFile)) : null;
            }
            catch (JsonException e)
            {
                throw new PonderException(
                    $"{configFile}: not valid JSON ({e.Message.Split('.')[0]}); restore the run's config.json "
                        + "or choose another --out."
                );
            }
            var now = JsonSerializer.SerializeToNode(config, config.GetType());
            foreach (string key in (string[])["task_spec", "data"])
            {
                if (stored?[key] is { } before && !JsonNode.DeepEquals(before, now?[key]))
                {
                    throw new PonderException(
                        $"{outDir}: --resume with another {key} ({now?[key]?.ToJsonString() ?? "none"}) than the run's "
                            + $"({before.ToJsonString()}); resume with the run's task and data options "
                            + "(--task-option, --train-problems, "
                            + "--draw-share, --data) or choose another --out."
                    );
                }
            }

            var store = RunStore.Open(outDir);
            store.TruncateAfter(step);
            io.Error.WriteLine($"resuming {outDir} at step {step} ({resumedFrom})");
            return store;
        }
        if (File.Exists(Path.Combine(outDir, RunStore.ConfigFile)))
            return RunStore.Open(outDir);
        string full = Path.GetFullPath(outDir);
        return RunStore.Create(Path.GetDirectoryName(full)!, kind, Path.GetFileName(full), config);
    }
}
