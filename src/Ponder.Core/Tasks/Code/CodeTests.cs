using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Tasks.Code;

/// <summary>One standard-input test: what the program reads and what it must print (compared token by token, so
/// spacing and line ends do not matter).</summary>
public sealed record StdioCase(
    [property: JsonPropertyName("input")] string Input,
    [property: JsonPropertyName("output")] string Output
);

/// <summary>
/// What a code problem is graded against — the problem's <see cref="Problem.Reference"/>, as JSON. Either assert
/// tests (HumanEval/MBPP: code run after the program, each a test) or standard-input cases
/// (Codeforces/CodeContests: the program's output on each input against the expected one). Never shown to the model
/// and never placed in the sandbox as a file.
/// </summary>
/// <param name="Asserts">Assert tests: each a piece of code whose AssertionError fails it.</param>
/// <param name="Setup">Code run after the program and before the asserts (MBPP's test_setup_code).</param>
/// <param name="Cases">Standard-input cases.</param>
/// <param name="TimeLimitSeconds">Per run: the program with all its asserts, or one standard-input case.</param>
/// <param name="MemoryLimitMb">Address space per run.</param>
/// <param name="Prelude">Code run before the program: HumanEval's prompt, whose helper functions some tests call
/// (the program's own definitions then replace the prompt's, as in HumanEval's prompt + completion).</param>
public sealed record CodeTests(
    [property: JsonPropertyName("asserts")] IReadOnlyList<string>? Asserts,
    [property: JsonPropertyName("setup")] string? Setup,
    [property: JsonPropertyName("cases")] IReadOnlyList<StdioCase>? Cases,
    [property: JsonPropertyName("time_limit")] double TimeLimitSeconds,
    [property: JsonPropertyName("memory_limit_mb")] int MemoryLimitMb,
    [property: JsonPropertyName("prelude")] string? Prelude = null
)
{
    /// <summary>Whether these are assert tests (else standard-input cases).</summary>
    [JsonIgnore]
    public bool IsFunction => Asserts is not null;

    /// <summary>How many tests the passed fraction is out of.</summary>
    [JsonIgnore]
    public int Count => Asserts?.Count ?? Cases?.Count ?? 0;

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>The tests of a problem made by <see cref="CodeTask"/>.</summary>
    public static CodeTests Of(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        try
        {
            return JsonSerializer.Deserialize<CodeTests>(problem.Reference) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new PonderException(
                $"problem {problem.Id}: its reference is not a code task's tests ({e.Message}); grade it with the "
                    + "task that made it."
            );
        }
    }
}
