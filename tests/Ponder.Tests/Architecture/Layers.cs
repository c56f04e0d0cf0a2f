namespace Ponder.Tests.Architecture;

/// <summary>
/// The dependency rules of docs/ARCHITECTURE.md as data: which area (a namespace under <c>Ponder.</c>, or a project at
/// the edge) may use which. Engine areas form one order, bottom-up; each may use only those below it.
/// </summary>
static class Layers
{
    /// <summary>The engine's areas (namespaces of Ponder.Core), bottom-up. "Ponder" is the root namespace, which holds
    /// only <see cref="PonderException"/>.</summary>
    public static readonly string[] Engine =
    [
        "Ponder",
        "Runtime",
        "Sandbox",
        "Text",
        "Model",
        "Checkpoints",
        "Generation",
        "LanguageModels",
        "Tasks",
        "Environments",
        "Rollouts",
        "Algorithms",
        "Training",
        "Reinforcement",
        "Evaluation",
        "Scoring",
        "TestTime",
        "Serving",
        "Benchmarks",
    ];

    /// <summary>Areas outside the engine and what each may use besides the whole engine.</summary>
    public static readonly Dictionary<string, string[]> Edge = new()
    {
        ["Runs"] = [],
        ["Plots"] = ["Runs"],
        ["Clients"] = [],
        ["Server"] = [],
        ["LlamaCpp"] = [],
        ["Cli"] = ["Runs", "Plots", "Clients", "Server", "LlamaCpp"],
    };

    /// <summary>The NuGet packages and projects each project may reference.</summary>
    public static readonly Dictionary<string, string[]> Projects = new()
    {
        ["Ponder.Core"] = ["TorchSharp-cpu", "Microsoft.ML.Tokenizers"],
        ["Ponder.Runs"] = ["Ponder.Core", "Microsoft.Data.Sqlite"],
        ["Ponder.Plots"] = ["Ponder.Core", "Ponder.Runs", "ScottPlot"],
        ["Ponder.Clients"] = ["Ponder.Core", "OpenAI"],
        ["Ponder.Server"] = ["Ponder.Core", "Microsoft.AspNetCore.App", "Microsoft.Extensions.AI.Abstractions"],
        ["Ponder.LlamaCpp"] = ["Ponder.Core", "LLamaSharp", "LLamaSharp.Backend.Cpu"],
        ["Ponder.Cli"] =
        [
            "Ponder.Core",
            "Ponder.Runs",
            "Ponder.Plots",
            "Ponder.Clients",
            "Ponder.Server",
            "Ponder.LlamaCpp",
            "System.CommandLine",
            "Spectre.Console",
        ],
    };

    /// <summary>The area of a namespace: "Ponder" for the root, else its second segment (Ponder.Tasks.Datasets →
    /// Tasks); null outside Ponder.</summary>
    public static string? AreaOf(string ns)
    {
        if (ns == "Ponder")
            return "Ponder";
        if (!ns.StartsWith("Ponder.", StringComparison.Ordinal))
            return null;
        string rest = ns["Ponder.".Length..];
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>Whether code in area <paramref name="from"/> may use area <paramref name="to"/>.</summary>
    public static bool Allows(string from, string to)
    {
        if (from == to)
            return true;
        int f = Array.IndexOf(Engine, from),
            t = Array.IndexOf(Engine, to);
        if (f >= 0)
            return t >= 0 && t < f;
        return t >= 0 || (Edge.TryGetValue(from, out var extra) && extra.Contains(to));
    }
}
