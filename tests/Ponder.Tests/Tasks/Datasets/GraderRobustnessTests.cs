using Ponder.Tasks.Graders;

namespace Ponder.Tests.Tasks.Datasets;

/// <summary>Model output is arbitrary text: the graders must return an answer or none, never throw.</summary>
public sealed class GraderRobustnessTests
{
    static readonly string[] Pieces =
    [
        @"\frac",
        @"\sqrt",
        @"\boxed",
        @"\text",
        @"\left(",
        @"\right]",
        @"\{",
        @"\}",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ",",
        "/",
        "-",
        ".",
        "1",
        "25",
        "0.5",
        "x",
        "=",
        "^",
        "_",
        @"\cup",
        @"\\",
        "&",
        @"\begin{pmatrix}",
        @"\end{pmatrix}",
        "####",
        "$",
        "%",
        " ",
        @"\in",
        "Answer:",
        "B",
        @"\fbox",
        @"\!",
        "7,425",
        @"\pm",
        @"\le",
        "<",
        @"\sum_{k=1}^{n}",
        @"\infty",
        @"\sin",
        "2^{1000}",
        "!",
        @"\sqrt[3]{",
        "%",
        @"\(",
        @"\)",
        "Final Answer: The final answer is",
    ];

    [Fact]
    public void Given_random_latex_fragments_then_graders_never_throw()
    {
        var rng = new Random(1234);
        for (var trial = 0; trial < 5000; trial++)
        {
            var text = string.Concat(Enumerable.Range(0, rng.Next(1, 12)).Select(_ => Pieces[rng.Next(Pieces.Length)]));

            var canonical = MathAnswer.Canonical(text);
            _ = MathAnswer.Equivalent(text, text);
            _ = NumberAnswer.Extract(text);
            _ = AimeAnswer.Extract(text);
            _ = ChoiceAnswer.Extract(text, 4);

            Assert.Equal(canonical, MathAnswer.Canonical(text)); // deterministic
        }
    }
}
