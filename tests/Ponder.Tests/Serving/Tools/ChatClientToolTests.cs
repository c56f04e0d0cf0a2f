using Microsoft.Extensions.AI;
using Ponder.Server;

namespace Ponder.Tests.Serving.Tools;

/// <summary>The in-process <see cref="IChatClient"/>'s function calling with Microsoft.Extensions.AI's own function
/// invocation: the call comes as <see cref="FunctionCallContent"/>, the function runs, its result goes back as
/// <see cref="FunctionResultContent"/> and the final answer returns.</summary>
[Collection(ToolModelGroup.Name)]
public sealed class ChatClientToolTests(ToolModel tools)
{
    static ChatOptions Options(ChatToolMode? mode = null, AIFunction? weather = null) =>
        new()
        {
            Temperature = 0,
            MaxOutputTokens = 200,
            Tools = [weather ?? ToolModel.Weather, ToolModel.Climate],
            ToolMode = mode,
        };

    [Fact]
    public async Task Given_UseFunctionInvocation_Then_the_function_is_invoked_and_the_final_answer_returns()
    {
        var invoked = new List<string>();
        var weather = AIFunctionFactory.Create(
            (string city) =>
            {
                invoked.Add(city);
                return ToolModel.Result;
            },
            ToolModel.Weather.Name,
            ToolModel.Weather.Description
        );
        using var inner = new PonderChatClient(tools.Harness.Engine);
        using var client = new ChatClientBuilder(inner).UseFunctionInvocation().Build();

        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, ToolModel.Question)],
            Options(weather: weather)
        );

        Assert.Equal(["Paris"], invoked);
        Assert.Equal(ToolModel.FinalAnswer, response.Text);
        Assert.DoesNotContain(
            response.Messages.SelectMany(m => m.Contents),
            c => c is TextReasoningContent || c.ToString()!.Contains(ToolModel.Secret, StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task Given_tools_Then_the_response_carries_the_call_and_finish_reason_tool_calls_whole_and_streamed()
    {
        using var client = new PonderChatClient(tools.Harness.Engine);
        List<ChatMessage> messages = [new(ChatRole.User, ToolModel.Question)];

        var whole = await client.GetResponseAsync(messages, Options());
        var streamed = await client.GetStreamingResponseAsync(messages, Options()).ToChatResponseAsync();

        foreach (var response in new[] { whole, streamed })
        {
            Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
            var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
            Assert.Equal("get_weather", call.Name);
            Assert.Equal("Paris", call.Arguments!["city"]!.ToString());
            Assert.Equal("", response.Text);
        }
    }

    [Fact]
    public async Task Given_RequireSpecific_Then_the_named_function_is_called()
    {
        using var client = new PonderChatClient(tools.Harness.Engine);

        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, ToolModel.Question)],
            Options(ChatToolMode.RequireSpecific("get_climate"))
        );

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_climate", call.Name);
    }

    [Fact]
    public async Task Given_ToolMode_None_Then_no_call_is_read()
    {
        using var client = new PonderChatClient(tools.Harness.Engine);

        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, ToolModel.Question)],
            Options(ChatToolMode.None)
        );

        Assert.NotEqual(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
    }

    [Fact]
    public async Task Given_raw_reasoning_Then_the_call_s_reasoning_holds_the_marker_the_leak_checks_look_for()
    {
        // The leak checks would pass vacuously if the model did not write the marker: here it is shown, as
        // --reasoning raw shows it, beside the same call.
        using var client = new PonderChatClient(
            tools.Harness.Engine,
            new ServerOptions { Reasoning = ReasoningMode.Raw }
        );

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, ToolModel.Question)], Options());

        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        Assert.Contains(
            ToolModel.Secret,
            Assert.Single(contents.OfType<TextReasoningContent>()).Text,
            StringComparison.Ordinal
        );
        Assert.Equal("get_weather", Assert.Single(contents.OfType<FunctionCallContent>()).Name);
    }
}
