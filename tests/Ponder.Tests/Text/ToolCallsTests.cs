using Ponder.Text;

namespace Ponder.Tests.Text;

public sealed class ToolCallsTests
{
    static string Template(string family) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "templates", family + ".jinja"));

    [Fact]
    public void Given_the_real_families_templates_Then_each_has_its_call_format_or_none()
    {
        Assert.Equal(ToolCallFormat.Hermes, ToolCalls.FormatOf(Template("qwen3")));
        Assert.Equal(ToolCallFormat.Hermes, ToolCalls.FormatOf(Template("qwen2.5")));
        Assert.Equal(ToolCallFormat.Llama3Json, ToolCalls.FormatOf(Template("llama3.2")));
        Assert.Null(ToolCalls.FormatOf(Template("smollm2")));
        Assert.Null(ToolCalls.FormatOf(Template("r1-distill-qwen")));
    }

    [Fact]
    public void Given_a_hermes_answer_with_text_and_two_calls_Then_the_text_is_content_and_both_calls_are_read()
    {
        string answer =
            "Let me check both.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
            + "\"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Lyon\"}}"
            + "\n</tool_call>";

        var (content, calls) = ToolCalls.Parse(answer, ToolCallFormat.Hermes);

        Assert.Equal("Let me check both.", content);
        Assert.Equal(
            [new ToolCall("get_weather", "{\"city\": \"Paris\"}"), new ToolCall("get_weather", "{\"city\": \"Lyon\"}")],
            calls
        );
    }

    [Theory]
    // A call cut off by the token limit still counts when its JSON is whole (vLLM reads an unclosed last block).
    [InlineData("<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n", null, "f", "{}")]
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"x\\\": 1}\"}</tool_call>", null, "f", "{\"x\": 1}")]
    [InlineData("<tool_call>{\"name\": \"now\"}</tool_call>", null, "now", "{}")]
    public void Given_hermes_variants_Then_the_call_is_read(string answer, string? content, string name, string args)
    {
        var parsed = ToolCalls.Parse(answer, ToolCallFormat.Hermes);

        Assert.Equal(content, parsed.Content);
        Assert.Equal([new ToolCall(name, args)], parsed.Calls);
    }

    [Theory]
    [InlineData("The answer is 4.")]
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": {\"x\": </tool_call>")] // malformed JSON
    [InlineData("<tool_call>{\"arguments\": {}}</tool_call>")] // no name
    [InlineData("<tool_call>[1, 2]</tool_call>")]
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": [1]}</tool_call>")]
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call><tool_call>oops</tool_call>")]
    public void Given_no_call_or_a_malformed_one_Then_the_whole_answer_is_content(string answer)
    {
        var (content, calls) = ToolCalls.Parse(answer, ToolCallFormat.Hermes);

        Assert.Equal(answer, content);
        Assert.Empty(calls);
    }

    [Theory]
    [InlineData("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}", 1)]
    [InlineData("<|python_tag|>{\"name\": \"f\", \"parameters\": {}}; {\"name\": \"g\", \"arguments\": {\"a\": 1}}", 2)]
    public void Given_llama_json_answers_Then_their_calls_are_read(string answer, int count)
    {
        var (content, calls) = ToolCalls.Parse(answer, ToolCallFormat.Llama3Json);

        Assert.Null(content);
        Assert.Equal(count, calls.Count);
        Assert.Equal(answer.Contains("Paris", StringComparison.Ordinal) ? "get_weather" : "f", calls[0].Name);
    }

    [Theory]
    [InlineData("It is sunny.")]
    [InlineData("{\"name\": \"f\", \"parameters\": {\"x\": 1}")]
    [InlineData("{\"city\": \"Paris\"}")]
    public void Given_a_llama_answer_that_is_not_a_call_Then_it_is_content(string answer)
    {
        var (content, calls) = ToolCalls.Parse(answer, ToolCallFormat.Llama3Json);

        Assert.Equal(answer, content);
        Assert.Empty(calls);
    }
}
