namespace Ponder.Tasks.Generated;

/// <summary>Settings of the <c>arithmetic</c> task. The digit range is the difficulty knob.</summary>
public sealed record ArithmeticOptions
{
    /// <summary>Seed of the problem stream.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; init; }

    /// <summary>Fewest digits of an operand (each operand draws its digit count uniformly from
    /// <see cref="MinDigits"/>..<see cref="MaxDigits"/>; one-digit operands include 0).</summary>
    /// <value>The default value is 2. Range 1..9.</value>
    public int MinDigits { get; init; } = 2;

    /// <summary>Most digits of an operand.</summary>
    /// <value>The default value is 3. Range <see cref="MinDigits"/>..9 (so a product fits in 64 bits).</value>
    public int MaxDigits { get; init; } = 3;

    /// <summary>The operations to draw from, uniformly: a non-empty subset of <c>+-*</c>, each at most once.</summary>
    /// <value>The default value is <c>"+-*"</c>.</value>
    public string Operations { get; init; } = "+-*";

    /// <summary>The tool the prompt offers (<c>python</c>: the prompt shows how to call it and the reference trace is
    /// a conversation that calls it), or null for none: the prompt and the scratchpad trace of the plain task.
    /// The answer and its grading are the same either way.</summary>
    /// <value>The default value is null (no tool).</value>
    public string? Tool { get; init; }

    /// <summary>Throws a <see cref="PonderException"/> saying what to change when the settings are
    /// inconsistent.</summary>
    public void Validate()
    {
        if (MinDigits < 1 || MinDigits > 9)
            throw new PonderException($"arithmetic: min-digits must be between 1 and 9 (got {MinDigits})");
        if (MaxDigits < MinDigits || MaxDigits > 9)
        {
            throw new PonderException(
                $"arithmetic: max-digits must be between min-digits ({MinDigits}) and 9 (got {MaxDigits})"
            );
        }

        if (Operations.Length == 0 || Operations.Any(c => c is not ('+' or '-' or '*')))
        {
            throw new PonderException(
                $"arithmetic: operations must be a non-empty subset of \"+-*\" (got \"{Operations}\")"
            );
        }

        if (Tool is not (null or ArithmeticTool.Python))
            throw new PonderException($"arithmetic: tool must be python or none (got \"{Tool}\")");

        if (Operations.Distinct().Count() != Operations.Length)
        {
            throw new PonderException(
                $"arithmetic: operations must list each of + - * at most once (got \"{Operations}\")"
            );
        }
    }
}
