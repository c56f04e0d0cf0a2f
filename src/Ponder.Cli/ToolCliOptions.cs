using System.CommandLine;
using System.Text.Json;
using Ponder.Environments;
using Ponder.Rollouts;
using Ponder.Sandbox;
using Ponder.Tasks;

namespace Ponder.Cli;

/// <summary>The tool options of the commands that run or train a model with tools (<c>--tools</c> turns them on):
/// which tools, how many model turns, whether the tools' definitions are rendered into prompts. Defaults are
/// <see cref="MultiTurnOptions"/>'s.</summary>
sealed class ToolCliOptions
{
    static readonly MultiTurnOptions Defaults = new();

    /// <summary>The tools <c>--tools</c> knows.</summary>
    public static IReadOnlyList<string> Known { get; } = [PythonTool.ToolName];

    public Option<string[]> Tools { get; } =
        new("--tools")
        {
            Description =
                $"Tools the model may call ({string.Join(", ", Known)}); Ponder runs them in the code sandbox "
                + "and returns their results.",
            AllowMultipleArgumentsPerToken = true,
        };
    public Option<int> MaxTurns { get; } =
        new("--max-turns")
        {
            Description = "Model turns at most with --tools (tool results in between); the last is graded.",
            DefaultValueFactory = _ => Defaults.MaxTurns,
        };
    public Option<bool> NoDefinitions { get; } =
        new("--no-tool-definitions")
        {
            Description =
                "Do not render the tools' definitions into prompts (for models trained here whose task prompt "
                + "names the tool, e.g. arithmetic with --task-option tool=python).",
        };

    public void AddTo(Command command)
    {
        command.Options.Add(Tools);
        command.Options.Add(MaxTurns);
        command.Options.Add(NoDefinitions);
    }

    /// <summary>The tools asked for, validated, nothing opened; null without <c>--tools</c>.</summary>
    public ToolSettings? Build(ParseResult r)
    {
        var names = (r.GetValue(Tools) ?? [])
            .SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (names.Count == 0)
        {
            string? stray = new Option[] { MaxTurns, NoDefinitions }
                .Where(o => r.GetResult(o) is { Implicit: false })
                .Select(o => o.Name)
                .FirstOrDefault();
            if (stray is not null)
                throw new PonderException($"{stray} is set but --tools is not: add --tools python.");
            return null;
        }
        foreach (var name in names.Where(n => !Known.Contains(n)))
            throw new PonderException($"--tools {name}: unknown tool; the tools are {string.Join(", ", Known)}.");
        var turns = new MultiTurnOptions
        {
            MaxTurns = r.GetValue(MaxTurns),
            DescribeTools = !r.GetValue(NoDefinitions),
        }.Validate();
        return new ToolSettings(names, turns);
    }
}

/// <summary>The tools a command was asked for (<see cref="ToolCliOptions.Build"/>) and how its turns run.</summary>
/// <param name="Names">Tool names, each one <see cref="ToolCliOptions.Known"/>.</param>
/// <param name="Turns">The multi-turn settings (<c>--max-turns</c>, <c>--no-tool-definitions</c>).</param>
sealed record ToolSettings(IReadOnlyList<string> Names, MultiTurnOptions Turns)
{
    /// <summary>The definitions a prompt renders (the chat template's tools section), null when
    /// <see cref="MultiTurnOptions.DescribeTools"/> is off. Needs no sandbox: training renders them, runs
    /// nothing.</summary>
    public IReadOnlyList<JsonElement>? Definitions =>
        Turns.DescribeTools ? [.. Names.Select(n => Definition(n))] : null;

    /// <summary>The environment over <paramref name="task"/> with these tools, in a sandbox of its own whose
    /// workers are the machine's cores (tool calls of different samples run at once).</summary>
    /// <exception cref="PonderException">bubblewrap is missing or cannot make its namespaces here.</exception>
    public ToolSession Open(IReasoningTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var sandbox = Bubblewrap.Open(Environment.ProcessorCount);
        var tools = Names.Select(n => Create(n, sandbox)).ToList();
        return new ToolSession(new ToolEnvironment(task, tools), Turns, sandbox);
    }

    static JsonElement Definition(string name) =>
        name switch
        {
            PythonTool.ToolName => PythonTool.FunctionDefinition,
            _ => throw new PonderException($"--tools {name}: unknown tool."),
        };

    static ITool Create(string name, Bubblewrap sandbox) =>
        name switch
        {
            PythonTool.ToolName => new PythonTool(sandbox),
            _ => throw new PonderException($"--tools {name}: unknown tool."),
        };
}

/// <summary>An open tool environment and its sandbox, which disposing closes.</summary>
sealed class ToolSession(ToolEnvironment environment, MultiTurnOptions turns, Bubblewrap sandbox) : IDisposable
{
    /// <summary>Where episodes run: the task's prompt, the tools, the task's grader.</summary>
    public ToolEnvironment Environment { get; } = environment;

    /// <summary>How the rollout's turns run.</summary>
    public MultiTurnOptions Turns { get; } = turns;

    /// <summary>The environment and the turns together, as the RL trainer takes them.</summary>
    public ToolUse Use => new(Environment, Turns);

    /// <summary>What a prompt renders of the tools: the definitions, or null with
    /// <see cref="MultiTurnOptions.DescribeTools"/> off.</summary>
    public IReadOnlyList<JsonElement>? Definitions => Turns.DescribeTools ? Environment.Tools : null;

    public void Dispose() => sandbox.Dispose();
}
