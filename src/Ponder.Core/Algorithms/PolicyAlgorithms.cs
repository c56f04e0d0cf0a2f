namespace Ponder.Algorithms;

/// <summary>The closed set of algorithms <c>--algo</c> names.</summary>
public static class PolicyAlgorithms
{
    public static IReadOnlyList<string> Names { get; } =
    ["grpo", "drgrpo", "dapo", "rloo", "gspo", "cispo", "reinforce++", "reinforce++-baseline"];

    public static IPolicyAlgorithm Create(string name) =>
        name switch
        {
            "grpo" => new Grpo(),
            "drgrpo" => new DrGrpo(),
            "dapo" => new Dapo(),
            "rloo" => new Rloo(),
            "gspo" => new Gspo(),
            "cispo" => new Cispo(),
            "reinforce++" => new ReinforcePlusPlus(groupBaseline: false),
            "reinforce++-baseline" => new ReinforcePlusPlus(groupBaseline: true),
            _ => throw new PonderException(
                $"--algo {name}: unknown algorithm. Use one of: {string.Join(", ", Names)}."
            ),
        };
}
