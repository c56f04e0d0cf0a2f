using Ponder.Tasks.Code;
using Ponder.Tasks.Datasets;
using Ponder.Tasks.Generated;

namespace Ponder.Tasks;

/// <summary>What <c>--task</c> and its companions name: a generated task with its settings, or a dataset task
/// over a JSONL file.</summary>
/// <param name="Name">arithmetic, countdown, gsm8k, math, aime, choice or code.</param>
/// <param name="Data">The JSONL file of a dataset task. <value>The default value is null.</value></param>
/// <param name="Settings">Generated-task settings (<c>--task-option numbers=3</c>). <value>The default value is
/// empty.</value></param>
/// <param name="Fields">Dataset field names (<c>--field question=problem</c>). <value>The default value is
/// empty.</value></param>
/// <param name="Seed">Seed of a generated task's problems. <value>The default value is 0.</value></param>
/// <param name="SkipMalformed">Skip malformed JSONL lines (counted) instead of stopping. <value>The default value is
/// false.</value></param>
/// <param name="Steps">What ends a reasoning step (<c>--steps-by</c>: lines, paragraphs or the separator), overriding
/// the task's own (<see cref="IReasoningTask.StepSeparator"/>). <value>The default value is null.</value></param>
public sealed record TaskSpec(
    string Name,
    string? Data = null,
    IReadOnlyDictionary<string, string>? Settings = null,
    IReadOnlyDictionary<string, string>? Fields = null,
    int Seed = 0,
    bool SkipMalformed = false,
    string? Steps = null
)
{
    /// <summary>The step separator of <paramref name="task"/> (made from this spec): <see cref="Steps"/> when given,
    /// else the task's own.</summary>
    public string StepSeparator(IReasoningTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return Steps is null ? task.StepSeparator : ReasoningSteps.Parse(Steps);
    }

    public static IReadOnlyList<string> Names => [.. GeneratedTasks.Names, .. DatasetTasks.Names, "code"];

    /// <summary>The task, with a message naming the option to fix when the spec does not fit it.</summary>
    public IReasoningTask Create()
    {
        if (GeneratedTasks.Names.Contains(Name))
        {
            if (Data is not null)
            {
                throw new PonderException(
                    $"--task {Name} generates its own problems; drop --data (or use a dataset task: "
                        + $"{string.Join(", ", DatasetTasks.Names)})."
                );
            }

            if (Fields is { Count: > 0 })
                throw new PonderException($"--field applies to dataset tasks; {Name} takes --task-option.");
            return GeneratedTasks.Create(Name, Settings ?? new Dictionary<string, string>(), Seed);
        }
        if (Name == "code")
        {
            if (Data is null)
                throw new PonderException("--task code reads problems from a JSONL file: pass --data FILE.jsonl.");
            if (!File.Exists(Data))
                throw new PonderException($"{Data}: data file not found.");
            return CodeTask.Open(CodeTaskOptions.Parse(Data, Settings, Fields, SkipMalformed));
        }
        if (DatasetTasks.Names.Contains(Name))
        {
            if (Data is null)
                throw new PonderException($"--task {Name} reads problems from a JSONL file: pass --data FILE.jsonl.");
            if (Settings is { Count: > 0 })
            {
                throw new PonderException(
                    $"--task-option applies to generated tasks; {Name} takes --field NAME=FIELD."
                );
            }

            if (!File.Exists(Data))
                throw new PonderException($"{Data}: data file not found.");
            return DatasetTasks.Create(Name, Data, Fields, SkipMalformed);
        }
        throw new PonderException($"--task {Name}: unknown task. Use one of: {string.Join(", ", Names)}.");
    }

    /// <summary>Parses repeated <c>key=value</c> options; <paramref name="option"/> names the flag in errors.</summary>
    public static IReadOnlyDictionary<string, string> ParsePairs(IEnumerable<string>? pairs, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == pair.Length - 1)
                throw new PonderException($"{option} {pair}: expected KEY=VALUE.");
            result[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return result;
    }
}
