using Ponder.LanguageModels;
using Ponder.Tasks;

namespace Ponder.Tests.Tasks;

/// <summary>How reasoning splits into steps: by text, by tokens, and the names --steps-by takes.</summary>
public sealed class ReasoningStepsTests
{
    [Fact]
    public void Given_lines_with_an_empty_one_When_split_Then_the_empty_line_makes_no_step()
    {
        // "a\n" and "b\n" end at separators; the lone "\n" has no content, so it opens the last step "\nc".
        Assert.Equal(["a\n", "b\n", "\nc"], ReasoningSteps.Split("a\nb\n\nc", ReasoningSteps.Lines));
    }

    [Fact]
    public void Given_paragraphs_When_split_Then_each_keeps_its_blank_line()
    {
        Assert.Equal(
            ["Step 1.\n\n", "Step 2.\n\n"],
            ReasoningSteps.Split("Step 1.\n\nStep 2.\n\n", ReasoningSteps.Paragraphs)
        );
    }

    [Theory]
    [InlineData("lines", "\n")]
    [InlineData("paragraphs", "\n\n")]
    [InlineData("\\n---\\n", "\n---\n")]
    [InlineData(";", ";")]
    public void Given_a_steps_by_value_When_parsed_Then_it_names_the_separator(string text, string separator) =>
        Assert.Equal(separator, ReasoningSteps.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Given_an_empty_separator_When_parsed_Then_the_error_names_the_flag(string text)
    {
        var e = Assert.Throws<PonderException>(() => ReasoningSteps.Parse(text));
        Assert.Contains("--steps-by", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_tokens_When_step_ends_are_found_Then_each_is_the_token_that_completes_a_separator()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 1);
        var ids = lm.Tokenizer.Encode("ab\ncd\n\nef\ngh");
        int reasoning = lm.Tokenizer.Encode("ab\ncd\n\nef").Count; // "\ngh" lies after the reasoning

        var ends = ReasoningSteps.Ends(lm.Tokenizer, ids, reasoning, ReasoningSteps.Lines);

        // "ab\n" and "cd\n" end steps; the second "\n" of "\n\n" would end an empty one; "ef" has not ended yet
        Assert.Equal(2, ends.Count);
        Assert.Equal("ab\n", lm.Tokenizer.Decode(ids.Take(ends[0] + 1)));
        Assert.Equal("ab\ncd\n", lm.Tokenizer.Decode(ids.Take(ends[1] + 1)));
    }

    [Fact]
    public void Given_countdown_and_a_dataset_task_Then_steps_are_lines_and_paragraphs()
    {
        Assert.Equal(ReasoningSteps.Lines, new TaskSpec("countdown").Create().StepSeparator);
        Assert.Equal(ReasoningSteps.Lines, new TaskSpec("arithmetic").Create().StepSeparator);
        var task = new TaskSpec("countdown", Steps: "paragraphs");
        Assert.Equal(ReasoningSteps.Paragraphs, task.StepSeparator(task.Create()));
    }
}
