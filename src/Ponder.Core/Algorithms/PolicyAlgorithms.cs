namespace Ponder.Algorithms;

/// <summary>The closed set of algorithms <c>--algo</c> names.</summary>
public static class PolicyAlgorithms
{
    public static IReadOnlyList<string> Names { get; } = ["grpo", "drgrpo", "dapo", "rloo"];

    public static IPolicyAlgorithm Create(string name) =>
        name switch
        {
            "grpo" => new Grpo(),
            "drgrpo" => new DrGrpo(),
            "dapo" => new Dapo(),
            "rloo" => new Rloo(),
            _ => throw new PonderException(
                $"--algo {name}: unknown algorithm. Use one of: {string.Join(", ", Names)}."
            ),
        };
}
