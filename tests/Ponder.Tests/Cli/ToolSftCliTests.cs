using System.Globalization;
using System.Text.RegularExpressions;

namespace Ponder.Tests.Cli;

/// <summary><c>ponder sft --tools python</c>: the tools' definitions are rendered into every training example unless
/// <c>--no-tool-definitions</c>; held-out problems run the tool in the sandbox, so the tests join its collection.
/// </summary>
[Collection(Ponder.Tests.Tasks.Code.CodeFixture.Collection)]
public sealed partial class ToolSftCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [GeneratedRegex(@"prompts alone take up to (\d+) tokens")]
    private static partial Regex PromptTokens();

    /// <summary>The longest prompt of the first examples, as the refusal of a too-short --max-seq-len reports it
    /// (the check runs on the rendered examples before any step).</summary>
    int LongestPrompt(string model, params string[] tools)
    {
        var (code, _, stderr) = PonderCli.Run([
            "sft",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--task-option",
            "tool=python",
            "--train-problems",
            "20",
            "--out",
            dir.File("sft-" + tools.Length),
            "--max-seq-len",
            "8",
            .. tools,
        ]);
        Assert.NotEqual(0, code);
        var match = PromptTokens().Match(stderr);
        Assert.True(match.Success, stderr);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Given_tools_When_sft_renders_the_examples_Then_the_definitions_lengthen_every_prompt()
    {
        string model = dir.File("tiny");
        Assert.Equal(0, PonderCli.Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);

        int plain = LongestPrompt(model);
        int described = LongestPrompt(model, "--tools", "python");
        int undescribed = LongestPrompt(model, "--tools", "python", "--no-tool-definitions");

        // Byte-level tokens: the tools section (preamble, the python definition, the call instructions) is several
        // hundred characters; the prompt line naming the tool is there in all three.
        Assert.InRange(described - plain, 400, 1_200);
        Assert.Equal(plain, undescribed);
    }

    [Fact]
    public void Given_sft_with_tools_When_held_out_problems_are_evaluated_Then_they_are_episodes_with_the_tool()
    {
        string model = dir.File("tiny");
        Assert.Equal(0, PonderCli.Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);

        var (code, _, stderr) = PonderCli.Run(
            "sft",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--task-option",
            "tool=python",
            "--train-problems",
            "20",
            "--out",
            dir.File("run"),
            "--steps",
            "1",
            "--batch-size",
            "2",
            "--eval-problems",
            "2",
            "--eval-max-tokens",
            "16",
            "--tools",
            "python",
            "--no-tool-definitions",
            "--max-turns",
            "2"
        );

        Assert.True(code == 0, stderr);
        using var runs = Ponder.Runs.RunStore.Open(dir.File("run"));
        var turns = runs.ReadMetrics("eval/turns");
        Assert.Single(turns);
        Assert.InRange(turns[0].Value, 1, 2);
        Assert.Single(runs.ReadMetrics("eval/tool_call_rate"));
    }
}
