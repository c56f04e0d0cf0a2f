using System.Text.Json.Nodes;
using Ponder.Server;
using Ponder.Text;

namespace Ponder.Tests.Serving.Tools;

/// <summary>A request's tool use: the forced openings per format and choice, and which calls are kept.</summary>
public sealed class ToolUseTests
{
    static ToolUse Use(ToolCallFormat format, ToolChoice choice, string? named = null, bool parallel = true) =>
        new([new JsonObject { ["type"] = "function" }], format, choice, named, parallel);

    [Theory]
    [InlineData(ToolCallFormat.Hermes, "Required", null, "<tool_call>\n{\"name\": \"")]
    [InlineData(ToolCallFormat.Hermes, "Named", "f", "<tool_call>\n{\"name\": \"f\", \"arguments\": ")]
    [InlineData(ToolCallFormat.Llama3Json, "Required", null, "{\"name\": \"")]
    [InlineData(ToolCallFormat.Llama3Json, "Named", "f", "{\"name\": \"f\", \"parameters\": ")]
    [InlineData(ToolCallFormat.Hermes, "Auto", null, null)]
    [InlineData(ToolCallFormat.Hermes, "None", null, null)]
    public void Given_a_choice_Then_the_forced_opening_is_the_format_s_call_up_to_what_the_model_chooses(
        ToolCallFormat format,
        string choice,
        string? named,
        string? opening
    )
    {
        Assert.Equal(opening, Use(format, Enum.Parse<ToolChoice>(choice), named).AnswerPrefix);
    }

    [Fact]
    public void Given_parallel_calls_off_Then_only_the_first_call_is_kept()
    {
        const string Answer =
            "<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n"
            + "<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call>";

        Assert.Equal(2, Use(ToolCallFormat.Hermes, ToolChoice.Auto).Read(Answer).Calls.Count);
        Assert.Equal(
            [new ToolCall("a", "{}")],
            Use(ToolCallFormat.Hermes, ToolChoice.Auto, parallel: false).Read(Answer).Calls
        );
    }

    [Fact]
    public void Given_tool_choice_none_Then_a_call_in_the_answer_is_content_and_the_tools_are_not_rendered()
    {
        var none = Use(ToolCallFormat.Hermes, ToolChoice.None);
        const string Answer = "<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>";

        Assert.Equal((Answer, (IReadOnlyList<ToolCall>)[]), none.Read(Answer));
        Assert.Null(none.TemplateTools);
        Assert.Null(none.Variables(null));
    }
}
