using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using OpenAI;
using OpenAI.Chat;

namespace Ponder.Tests.Serving.Tools;

/// <summary>The official OpenAI .NET SDK's tool round trip against <c>ponder serve</c>, whole and streamed; every byte
/// the server sends is recorded, and the model's reasoning marker is in none of them.</summary>
[Collection(ToolModelGroup.Name)]
public sealed class ToolCallSdkTests(ToolModel tools)
{
    /// <summary>Keeps every response body the SDK reads (a streamed one whole, once the stream ends).</summary>
    sealed class Recorder : DelegatingHandler
    {
        readonly StringBuilder seen = new();

        public Recorder()
            : base(new HttpClientHandler()) { }

        public string Seen
        {
            get
            {
                lock (seen)
                    return seen.ToString();
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            string body = await response.Content.ReadAsStringAsync(ct);
            lock (seen)
                seen.Append(body);
            var copy = new StringContent(body, Encoding.UTF8);
            copy.Headers.ContentType = response.Content.Headers.ContentType;
            response.Content = copy;
            return response;
        }
    }

    (ChatClient Client, Recorder Recorder) Client()
    {
        var recorder = new Recorder();
        var options = new OpenAIClientOptions
        {
            Endpoint = tools.Harness.V1,
            NetworkTimeout = TimeSpan.FromSeconds(120),
            Transport = new HttpClientPipelineTransport(new HttpClient(recorder)),
        };
        return (new ChatClient(ToolModel.Model, new ApiKeyCredential("unused"), options), recorder);
    }

    static ChatCompletionOptions Options(ChatToolChoice? choice = null)
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 200 };
        foreach (var f in new[] { ToolModel.Weather, ToolModel.Climate })
        {
            options.Tools.Add(
                ChatTool.CreateFunctionTool(f.Name, f.Description, BinaryData.FromString(ToolModel.Schema))
            );
        }

        if (choice is not null)
            options.ToolChoice = choice;
        return options;
    }

    [Fact]
    public async Task Given_tools_When_the_model_calls_one_Then_the_SDK_completes_the_round_trip_and_sees_no_reasoning()
    {
        var (client, recorder) = Client();
        List<ChatMessage> messages = [new UserChatMessage(ToolModel.Question)];

        ChatCompletion first = await client.CompleteChatAsync(messages, Options());

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.StartsWith("call_", call.Id, StringComparison.Ordinal);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city": "Paris"}""", call.FunctionArguments.ToString());
        Assert.Empty(first.Content);

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, ToolModel.Result));
        ChatCompletion second = await client.CompleteChatAsync(messages, Options());

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Equal(ToolModel.FinalAnswer, second.Content[0].Text);
        Assert.DoesNotContain(ToolModel.Secret, recorder.Seen, StringComparison.Ordinal);
        Assert.Contains("get_weather", recorder.Seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_tools_When_streamed_Then_the_call_arrives_as_tool_call_updates_and_no_reasoning_is_sent()
    {
        var (client, recorder) = Client();
        List<ChatMessage> messages = [new UserChatMessage(ToolModel.Question)];

        var (content, calls, finish) = await Stream(client, messages);

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal("", content);
        var (id, name, arguments) = Assert.Single(calls);
        Assert.Equal("get_weather", name);
        Assert.Equal("""{"city": "Paris"}""", arguments);

        messages.Add(
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall(id, name, BinaryData.FromString(arguments))])
        );
        messages.Add(new ToolChatMessage(id, ToolModel.Result));
        var (answer, none, end) = await Stream(client, messages);

        Assert.Equal(ChatFinishReason.Stop, end);
        Assert.Empty(none);
        Assert.Equal(ToolModel.FinalAnswer, answer);
        Assert.DoesNotContain(ToolModel.Secret, recorder.Seen, StringComparison.Ordinal);
        Assert.Contains("\"tool_calls\"", recorder.Seen, StringComparison.Ordinal);
    }

    static async Task<(
        string Content,
        List<(string Id, string Name, string Arguments)> Calls,
        ChatFinishReason? Finish
    )> Stream(ChatClient client, List<ChatMessage> messages)
    {
        var content = new StringBuilder();
        var ids = new Dictionary<int, string>();
        var names = new Dictionary<int, string>();
        var arguments = new Dictionary<int, StringBuilder>();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, Options()))
        {
            foreach (var part in update.ContentUpdate)
                content.Append(part.Text);
            foreach (var t in update.ToolCallUpdates)
            {
                if (t.ToolCallId is { } id)
                    ids[t.Index] = id;
                if (t.FunctionName is { } name)
                    names[t.Index] = name;
                if (!arguments.TryGetValue(t.Index, out var args))
                    arguments[t.Index] = args = new StringBuilder();
                args.Append(t.FunctionArgumentsUpdate?.ToString());
            }
            finish ??= update.FinishReason;
        }
        var calls = ids.Keys.Order().Select(i => (ids[i], names[i], arguments[i].ToString())).ToList();
        return (content.ToString(), calls, finish);
    }

    [Fact]
    public async Task Given_a_named_tool_choice_Then_the_answer_is_forced_to_call_that_function()
    {
        var (client, recorder) = Client();

        ChatCompletion c = await client.CompleteChatAsync(
            [new UserChatMessage(ToolModel.Question)],
            Options(ChatToolChoice.CreateFunctionChoice("get_climate"))
        );

        // Unforced, this question gets get_weather (the first test); the opening names get_climate.
        Assert.Equal(ChatFinishReason.ToolCalls, c.FinishReason);
        var call = Assert.Single(c.ToolCalls);
        Assert.Equal("get_climate", call.FunctionName);
        Assert.Equal("""{"city": "Paris"}""", call.FunctionArguments.ToString());
        Assert.DoesNotContain(ToolModel.Secret, recorder.Seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_tool_choice_none_Then_nothing_is_read_as_a_call_and_the_answer_is_content()
    {
        var (client, recorder) = Client();

        ChatCompletion c = await client.CompleteChatAsync(
            [new UserChatMessage(ToolModel.Question)],
            Options(ChatToolChoice.CreateNoneChoice())
        );

        Assert.NotEqual(ChatFinishReason.ToolCalls, c.FinishReason);
        Assert.Empty(c.ToolCalls);
        Assert.NotEmpty(c.Content);
        Assert.DoesNotContain(ToolModel.Secret, recorder.Seen, StringComparison.Ordinal);
    }
}
