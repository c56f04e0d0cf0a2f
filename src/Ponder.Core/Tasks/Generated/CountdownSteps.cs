using System.Globalization;
using System.Text.RegularExpressions;

namespace Ponder.Tasks.Generated;

/// <summary>
/// The step check of countdown reasoning: every line that begins (after its indentation) with <c>a op b=c</c> is a
/// step, right when the arithmetic holds — <c>+ - *</c> exactly, <c>/</c> only when it divides evenly; a negative
/// result is wrong (countdown keeps every intermediate positive). Digits are ASCII only. What follows
/// the step on its line (the state <c>[7 9 17]</c>, a dead end's <c>x</c>) and whether the operands were still
/// available are not checked: this measures the arithmetic of the thinking, the part a trace's search relies on.
/// </summary>
static partial class CountdownSteps
{
    [GeneratedRegex(@"^[ \t]*([0-9]+)([-+*/])([0-9]+)=(-?[0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Step();

    public static StepCheck Check(string reasoning)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        int steps = 0,
            correct = 0;
        foreach (var line in reasoning.Split('\n'))
        {
            var m = Step().Match(line);
            if (!m.Success)
                continue;
            steps++;
            if (Holds(m.Groups[1].Value, m.Groups[2].Value[0], m.Groups[3].Value, m.Groups[4].Value))
                correct++;
        }
        return new StepCheck(steps, correct);
    }

    static bool Holds(string left, char op, string right, string result)
    {
        // Digit strings too long for a long cannot be a step of a countdown search over small numbers: wrong.
        if (
            !long.TryParse(left, NumberStyles.None, CultureInfo.InvariantCulture, out long a)
            || !long.TryParse(right, NumberStyles.None, CultureInfo.InvariantCulture, out long b)
            || !long.TryParse(result, NumberStyles.None, CultureInfo.InvariantCulture, out long c)
        ) // a negative result ("-4") does not parse: wrong
        {
            return false;
        }

        return op switch
        {
            '+' => a + b == c,
            '-' => a - b == c,
            '*' => (Int128)a * b == c,
            '/' => b != 0 && a % b == 0 && a / b == c,
            _ => false,
        };
    }
}
