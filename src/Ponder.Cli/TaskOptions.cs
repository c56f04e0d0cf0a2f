using System.CommandLine;
using Ponder.Tasks;

namespace Ponder.Cli;

/// <summary>The options that name a task (<c>--task</c> and its companions), shared by sft, eval, rl, grade and
/// scale.</summary>
sealed class TaskOptions
{
    public Option<string> Task { get; } =
        new("--task") { Description = $"Task: {string.Join(", ", TaskSpec.Names)}.", Required = true };

    /// <param name="dataOption">The flag naming a dataset task's problems file (sft uses --data for its traces and
    /// names the problems file --eval-data).</param>
    public TaskOptions(string dataOption = "--data")
    {
        Data = new(dataOption) { Description = "JSONL file of a dataset task's problems (gsm8k, math, aime, choice)." };
    }

    public Option<string?> Data { get; }
    public Option<string[]> TaskOption { get; } =
        new("--task-option") { Description = "A generated task's setting, KEY=VALUE (repeatable), e.g. numbers=3." };
    public Option<string[]> Field { get; } =
        new("--field") { Description = "A dataset field name, KEY=FIELD (repeatable), e.g. question=problem." };
    public Option<int> TaskSeed { get; } =
        new("--task-seed") { Description = "Seed of a generated task's problems.", DefaultValueFactory = _ => 0 };
    public Option<bool> SkipMalformed { get; } =
        new("--skip-malformed") { Description = "Skip malformed JSONL lines (counted) instead of stopping." };

    public Option<string?> Steps { get; } =
        new("--steps-by")
        {
            Description =
                "What ends a reasoning step for process scoring and step search: lines, paragraphs or the "
                + "separator itself (\\n for a newline). Default: the task's own (lines for countdown and arithmetic, "
                + "paragraphs otherwise).",
        };

    public void AddTo(Command command)
    {
        command.Options.Add(Steps);
        command.Options.Add(Task);
        command.Options.Add(Data);
        command.Options.Add(TaskOption);
        command.Options.Add(Field);
        command.Options.Add(TaskSeed);
        command.Options.Add(SkipMalformed);
    }

    public TaskSpec Spec(ParseResult r) =>
        new(
            r.GetValue(Task)!,
            r.GetValue(Data),
            TaskSpec.ParsePairs(r.GetValue(TaskOption), "--task-option"),
            TaskSpec.ParsePairs(r.GetValue(Field), "--field"),
            r.GetValue(TaskSeed),
            r.GetValue(SkipMalformed),
            r.GetValue(Steps)
        );
}
