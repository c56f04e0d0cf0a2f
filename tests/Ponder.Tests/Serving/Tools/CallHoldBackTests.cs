using Ponder.Server;
using Ponder.Server.Endpoints;
using Ponder.Text;

namespace Ponder.Tests.Serving.Tools;

/// <summary>What a streamed answer releases as content while it may still be writing a function call.</summary>
public sealed class CallHoldBackTests
{
    static ToolUse Reading(ToolCallFormat format) =>
        new(
            [new System.Text.Json.Nodes.JsonObject { ["type"] = "function" }],
            format,
            ToolChoice.Auto,
            null,
            Parallel: true
        );

    [Fact]
    public void Given_Hermes_text_then_a_call_Then_the_text_streams_and_the_call_is_held_from_its_first_character()
    {
        var hold = new CallHoldBack(Reading(ToolCallFormat.Hermes));

        Assert.Equal("Sure. ", hold.Push("Sure. <tool")); // "<tool" could begin "<tool_call>"
        Assert.Equal("", hold.Push("_call>\n{\"name\": \"f\", "));
        Assert.Equal("", hold.Push("\"arguments\": {}}\n</tool_call>"));
        const string Answer = "Sure. <tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>";
        var (remaining, calls) = hold.Finish(Answer, blocked: false);

        Assert.Equal("", remaining);
        Assert.Equal([new ToolCall("f", "{}")], calls);
    }

    [Fact]
    public void Given_Hermes_text_that_only_looks_like_a_call_Then_what_was_held_is_released_at_the_end()
    {
        var hold = new CallHoldBack(Reading(ToolCallFormat.Hermes));

        Assert.Equal("a ", hold.Push("a <to"));
        Assert.Equal("<tol b", hold.Push("l b")); // no longer a prefix of "<tool_call>"
        Assert.Equal("", hold.Push("<tool_call>{not json"));
        var (remaining, calls) = hold.Finish("a <tol b<tool_call>{not json", blocked: false);

        Assert.Equal("<tool_call>{not json", remaining);
        Assert.Empty(calls);
    }

    [Fact]
    public void Given_Llama3_JSON_Then_an_answer_opening_with_a_brace_is_held_and_any_other_streams()
    {
        var call = new CallHoldBack(Reading(ToolCallFormat.Llama3Json));
        var text = new CallHoldBack(Reading(ToolCallFormat.Llama3Json));

        Assert.Equal("", call.Push(" "));
        Assert.Equal("", call.Push("{\"name\": \"f\", \"parameters\": {\"x\": 1}}"));
        Assert.Equal("Hi {", text.Push("Hi {"));

        Assert.Equal(
            [new ToolCall("f", "{\"x\": 1}")],
            call.Finish(" {\"name\": \"f\", \"parameters\": {\"x\": 1}}", false).Calls
        );
        Assert.Equal(("", (IReadOnlyList<ToolCall>)[]), text.Finish("Hi {", false));
    }

    [Fact]
    public void Given_no_tools_Then_everything_streams_at_once()
    {
        var hold = new CallHoldBack(ToolUse.Off);

        Assert.Equal("<tool_call>", hold.Push("<tool_call>"));
        Assert.Empty(hold.Finish("<tool_call>", blocked: false).Calls);
    }
}
