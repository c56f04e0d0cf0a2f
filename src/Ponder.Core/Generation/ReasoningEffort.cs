using System.Text.Json;
using Ponder.Checkpoints;

namespace Ponder.Generation;

/// <summary>
/// <c>reasoning_effort</c> (low | medium | high), as OpenAI's API names it, mapped to thinking budgets. A model sets
/// its own in generation_config.json as <c>"thinking_budgets": {"low": 128, "medium": 512, "high": 2048}</c>;
/// otherwise the budgets are 1/16, 1/8 and 1/4 of the context length.
/// </summary>
public static class ReasoningEffort
{
    public const string ConfigKey = "thinking_budgets";
    public static IReadOnlyList<string> Levels { get; } = ["low", "medium", "high"];

    public static int Budget(string effort, GenerationConfig generation, int contextLength)
    {
        if (!Levels.Contains(effort))
            throw new PonderException($"reasoning effort \"{effort}\" is not one of low, medium, high.");
        if (generation.Extra is { } extra && extra.TryGetValue(ConfigKey, out var budgets))
        {
            if (
                budgets.ValueKind != JsonValueKind.Object
                || !budgets.TryGetProperty(effort, out var b)
                || !b.TryGetInt32(out int value)
                || value < 0
            )
            {
                throw new PonderException(
                    $"generation_config.json: \"{ConfigKey}\" must map low, medium and high to token counts ≥ "
                        + $"0 (\"{effort}\" is missing or not a number)."
                );
            }

            return value;
        }
        return effort switch
        {
            "low" => contextLength / 16,
            "medium" => contextLength / 8,
            _ => contextLength / 4,
        };
    }
}
