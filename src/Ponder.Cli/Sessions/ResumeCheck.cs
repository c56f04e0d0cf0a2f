using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ponder.Checkpoints;
using Ponder.Runs;

namespace Ponder.Cli.Sessions;

/// <summary>
/// What a resume may change. A resumed run continues exactly only with the settings it started with, so a changed
/// setting that shapes training (learning rate, batch, task, data, …) is refused with what to do instead; settings
/// that only extend the run or change how often it is evaluated and saved may change, and each change is recorded in
/// config.json under <c>resumes</c> at the step it took effect.
/// </summary>
static class ResumeCheck
{
    /// <summary>The paths of config.json that a resume may change.</summary>
    static readonly string[] MayChange =
    [
        "model",
        "monitor", // its rules file: it only watches unless options.MonitorPenalty, which may not change, is set
        "options.Steps",
        "options.EvalEvery",
        "options.EvalPoints",
        "options.EvalSteps",
        "options.EvalProblems",
        "options.EvalSamples",
        "options.CheckpointEvery",
        "options.KeepCheckpoints",
    ];

    /// <summary>The command-line option behind a path, for the message; the path itself where none is known.</summary>
    static readonly Dictionary<string, string> Options = new(StringComparer.Ordinal)
    {
        ["options.LearningRate"] = "--lr",
        ["options.BatchSize"] = "--batch-size",
        ["options.GradientAccumulation"] = "--grad-accum",
        ["options.WarmupSteps"] = "--warmup",
        ["options.MaxSequenceLength"] = "--max-seq-len",
        ["options.WeightDecay"] = "--weight-decay",
        ["options.Seed"] = "--seed",
        ["options.Algorithm"] = "--algo",
        ["options.PromptsPerStep"] = "--prompts",
        ["options.GroupSize"] = "--group-size",
        ["options.UpdatesPerBatch"] = "--updates",
        ["options.MicroBatchSize"] = "--micro-batch",
        ["options.Temperature"] = "--temperature",
        ["options.MaxCompletionTokens"] = "--max-tokens",
        ["options.FormatReward"] = "--format-reward",
        ["options.MonitorPenalty"] = "--monitor-penalty",
        ["options.PartialReward"] = "--partial-reward",
        ["options.Policy.Beta"] = "--beta",
        ["DType"] = "--dtype",
    };

    /// <summary>Compares the run's config.json with this resume's settings: throws on a change that may not be made,
    /// and returns the changes that may, by path (old and new values).</summary>
    public static IReadOnlyDictionary<string, (JsonNode? Was, JsonNode? Now)> Check(string outDir, object config)
    {
        string file = Path.Combine(outDir, RunStore.ConfigFile);
        var stored = Read(file);
        var now = JsonSerializer.SerializeToNode(config, config.GetType());
        var before = Flatten(stored);
        var after = Flatten(now);
        var changes = new Dictionary<string, (JsonNode?, JsonNode?)>(StringComparer.Ordinal);
        foreach (
            string path in before.Keys.Union(after.Keys).Where(p => !p.StartsWith("resumes", StringComparison.Ordinal))
        )
        {
            var was = before.GetValueOrDefault(path);
            var then = after.GetValueOrDefault(path);
            if (JsonNode.DeepEquals(was, then) || (was is null && IsOff(then)))
                continue;
            if (!MayChange.Contains(path))
                throw Refusal(outDir, path, was, then);
            changes[path] = (was, then);
        }
        return changes;
    }

    /// <summary>Writes this resume's settings as the run's config.json, keeping the record of earlier resumes and
    /// adding this one's changes at <paramref name="step"/>.</summary>
    public static void Record(
        string outDir,
        object config,
        int step,
        IReadOnlyDictionary<string, (JsonNode? Was, JsonNode? Now)> changes
    )
    {
        string file = Path.Combine(outDir, RunStore.ConfigFile);
        var resumes = Read(file)?["resumes"]?.DeepClone() as JsonArray ?? [];
        var changed = new JsonObject();
        foreach (var (path, (was, now)) in changes)
            changed[path] = new JsonObject { ["from"] = was?.DeepClone(), ["to"] = now?.DeepClone() };
        resumes.Add(new JsonObject { ["step"] = step, ["changed"] = changed });
        var updated = JsonSerializer.SerializeToNode(config, config.GetType())!.AsObject();
        updated["resumes"] = resumes;
        AtomicFile.WriteAllText(file, updated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Whether a value is an option's "off" (false, 0, null): options added since a run started are off by
    /// default, which is how that run trained, so their absence from its config.json is no change.</summary>
    static bool IsOff(JsonNode? value) =>
        value is null
        || (value is JsonValue v && ((v.TryGetValue(out bool b) && !b) || (v.TryGetValue(out double d) && d == 0)));

    static PonderException Refusal(string outDir, string path, JsonNode? was, JsonNode? now)
    {
        string what =
            path.StartsWith("task", StringComparison.Ordinal) || path.StartsWith("data", StringComparison.Ordinal)
                ? "the task and data options (--task, --task-option, --data, --train-problems, --draw-share)"
            : Options.TryGetValue(path, out var option) ? option
            : path;
        string Show(JsonNode? v) => v?.ToJsonString() ?? "unset";
        return new PonderException(
            $"{outDir}: --resume with {what} {Show(now)} where the run has {Show(was)} (config.json: {path}); a "
                + "resumed run continues exactly only with its own settings. Resume with the run's value, or start a "
                + $"new run in another --out from a checkpoint's model (--model {outDir}/checkpoints/step-…)."
        );
    }

    static JsonNode? Read(string file)
    {
        try
        {
            return File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file)) : null;
        }
        catch (JsonException e)
        {
            throw new PonderException(
                $"{file}: not valid JSON ({e.Message.Split('.')[0]}); restore the run's config.json or choose "
                    + "another --out."
            );
        }
    }

    /// <summary>Leaf values by dotted path ("options.Policy.Beta"); arrays are leaves.</summary>
    static Dictionary<string, JsonNode?> Flatten(JsonNode? node, string prefix = "")
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (node is JsonObject o)
        {
            foreach (var (key, value) in o)
            {
                foreach (var leaf in Flatten(value, prefix.Length == 0 ? key : $"{prefix}.{key}"))
                    leaves[leaf.Key] = leaf.Value;
            }
        }
        else if (prefix.Length > 0)
        {
            leaves[prefix] = node;
        }
        return leaves;
    }
}
