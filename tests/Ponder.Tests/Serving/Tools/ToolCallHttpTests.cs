using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ponder.Tests.Serving.Tools;

/// <summary>Function calling in <c>/v1/chat/completions</c> byte for byte: the SSE chunks of a streamed call, calls
/// that do not parse, forced calls, the tool message in the prompt, and the 400s.</summary>
[Collection(ToolModelGroup.Name)]
public sealed class ToolCallHttpTests(ToolModel tools)
{
    static JsonArray Ask(string user) => [new JsonObject { ["role"] = "user", ["content"] = user }];

    static string Body(JsonArray messages, JsonNode? choice = null, bool stream = false, JsonArray? declared = null)
    {
        var body = new JsonObject
        {
            ["model"] = ToolModel.Model,
            ["messages"] = messages,
            ["temperature"] = 0,
            ["max_tokens"] = 200,
            ["tools"] = declared ?? ToolModel.ChatTools(),
            ["stream"] = stream,
        };
        if (choice is not null)
            body["tool_choice"] = choice;
        return body.ToJsonString();
    }

    /// <summary>The data of each SSE event, up to <c>[DONE]</c>.</summary>
    static List<JsonNode> Chunks(string sse) =>
        [
            .. sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
                .Select(e => e.Split('\n').Single(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..])
                .TakeWhile(d => d != "[DONE]")
                .Select(d => JsonNode.Parse(d)!),
        ];

    [Fact]
    public async Task Given_a_streamed_call_Then_one_tool_calls_delta_and_a_tool_calls_finish_come_without_reasoning()
    {
        var (status, sse, _) = await tools.Harness.PostAsync(
            "v1/chat/completions",
            Body(Ask(ToolModel.Question), stream: true)
        );

        Assert.Equal(200, status);
        Assert.DoesNotContain(ToolModel.Secret, sse, StringComparison.Ordinal);
        var deltas = Chunks(sse).Select(c => c["choices"]![0]!).ToList();
        // No text of the call leaks as content while it is being written.
        Assert.All(deltas, d => Assert.Equal("", (string?)d["delta"]!["content"] ?? ""));
        var call = Assert.Single(deltas, d => d["delta"]!["tool_calls"] is not null)["delta"]!["tool_calls"]![0]!;
        Assert.Equal(0, (int)call["index"]!);
        Assert.StartsWith("call_", (string)call["id"]!, StringComparison.Ordinal);
        Assert.Equal("function", (string?)call["type"]);
        Assert.Equal("get_weather", (string?)call["function"]!["name"]);
        Assert.Equal("""{"city": "Paris"}""", (string?)call["function"]!["arguments"]);
        Assert.Equal("tool_calls", (string?)deltas[^1]["finish_reason"]);
    }

    [Fact]
    public async Task Given_a_streamed_call_with_logprobs_Then_no_token_of_the_call_is_sent_before_tool_calls()
    {
        var body = JsonNode.Parse(Body(Ask(ToolModel.Question), stream: true))!.AsObject();
        body["logprobs"] = true;

        var (status, sse, _) = await tools.Harness.PostAsync("v1/chat/completions", body.ToJsonString());

        Assert.Equal(200, status);
        var deltas = Chunks(sse).Select(c => c["choices"]![0]!).ToList();
        // The call's tokens are held back with its text: a client joining log-prob tokens must not read the call.
        Assert.DoesNotContain("<tool_call>", sse, StringComparison.Ordinal);
        Assert.All(deltas, d => Assert.Null(d["logprobs"]?["content"]?.AsArray().FirstOrDefault()));
        Assert.Single(deltas, d => d["delta"]!["tool_calls"] is not null);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Given_a_call_whose_JSON_does_not_parse_Then_its_text_is_the_content_and_the_finish_is_stop(
        bool stream
    )
    {
        var (status, body, _) = await tools.Harness.PostAsync(
            "v1/chat/completions",
            Body(Ask(ToolModel.BreakIt), stream: stream)
        );

        Assert.Equal(200, status);
        Assert.DoesNotContain(ToolModel.Secret, body, StringComparison.Ordinal);
        var (content, finish, calls) = Read(body, stream);
        Assert.Equal("<tool_call>\n{not json\n</tool_call>", content);
        Assert.Equal("stop", finish);
        Assert.False(calls);
    }

    /// <summary>Content, finish reason and whether any call came, from a whole response or its chunks.</summary>
    static (string Content, string? Finish, bool Calls) Read(string body, bool stream)
    {
        if (!stream)
        {
            var choice = JsonNode.Parse(body)!["choices"]![0]!;
            var message = choice["message"]!;
            return (
                (string?)message["content"] ?? "",
                (string?)choice["finish_reason"],
                message["tool_calls"] is not null
            );
        }
        var deltas = Chunks(body).Select(c => c["choices"]![0]!).ToList();
        return (
            string.Concat(deltas.Select(d => (string?)d["delta"]!["content"])),
            (string?)deltas[^1]["finish_reason"],
            deltas.Any(d => d["delta"]!["tool_calls"] is not null)
        );
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Given_required_after_the_result_Then_a_call_is_opened_and_stays_content_as_it_does_not_parse(
        bool stream
    )
    {
        var (status, body, _) = await tools.Harness.PostAsync(
            "v1/chat/completions",
            Body(ToolModel.AfterCall("call_1"), "required", stream)
        );

        // Unforced, the model answers in words here; forced, it must open a call, and it cannot finish one.
        Assert.Equal(200, status);
        Assert.DoesNotContain(ToolModel.Secret, body, StringComparison.Ordinal);
        var (content, finish, calls) = Read(body, stream);
        Assert.StartsWith("<tool_call>\n{\"name\": \"", content, StringComparison.Ordinal);
        Assert.Equal("stop", finish);
        Assert.False(calls);
    }

    [Fact]
    public async Task Given_a_tool_message_Then_the_prompt_is_the_template_s_with_the_tool_response_rendered()
    {
        var (status, body, _) = await tools.Harness.PostAsync(
            "v1/chat/completions",
            Body(ToolModel.AfterCall("call_9"))
        );

        Assert.Equal(200, status);
        var variables = new Dictionary<string, JsonElement>
        {
            ["tools"] = JsonSerializer.SerializeToElement(ToolModel.ChatTools()),
        };
        var expected = tools.Lm.Prompt!.RenderForGeneration(
            JsonSerializer.SerializeToElement(ToolModel.AfterCall("call_9", argumentsAsObject: true)),
            "test",
            variables
        );
        Assert.Contains(
            $"<tool_response>\n{ToolModel.Result}\n</tool_response>",
            expected.Text,
            StringComparison.Ordinal
        );
        Assert.Equal(expected.Ids.Count, (int)JsonNode.Parse(body)!["usage"]!["prompt_tokens"]!);
        Assert.Equal(ToolModel.FinalAnswer, (string?)JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]);
    }

    [Theory]
    [InlineData("""{"type":"function","function":{"name":"get_rain"}}""", null, "tool_choice")]
    [InlineData("\"sometimes\"", null, "tool_choice")]
    [InlineData(null, """[{"type":"code_interpreter"}]""", "tools[0].type")]
    [InlineData(null, """[{"type":"function","function":{"name":"has space"}}]""", "tools[0].function.name")]
    [InlineData(
        null,
        """[{"type":"function","function":{"name":"f","parameters":[1]}}]""",
        "tools[0].function.parameters"
    )]
    [InlineData(null, """[{"type":"function"}]""", "tools[0].function")]
    [InlineData(null, "[]", "tools")]
    public async Task Given_bad_tools_or_tool_choice_Then_400_naming_the_field(
        string? choice,
        string? declared,
        string param
    )
    {
        string body = Body(
            Ask(ToolModel.Question),
            choice is null ? null : JsonNode.Parse(choice),
            declared: declared is null ? null : JsonNode.Parse(declared)!.AsArray()
        );

        var (status, response, _) = await tools.Harness.PostAsync("v1/chat/completions", body);

        Assert.Equal(400, status);
        Assert.Equal(param, (string?)JsonNode.Parse(response)!["error"]!["param"]);
    }

    [Fact]
    public async Task Given_a_tool_message_without_its_call_id_Then_400_naming_the_field()
    {
        var messages = ToolModel.AfterCall("call_1");
        messages[2]!.AsObject().Remove("tool_call_id");

        var (status, response, _) = await tools.Harness.PostAsync("v1/chat/completions", Body(messages));

        Assert.Equal(400, status);
        Assert.Equal("messages[2].tool_call_id", (string?)JsonNode.Parse(response)!["error"]!["param"]);
    }

    [Fact]
    public async Task Given_a_named_choice_and_no_reasoning_Then_the_answer_opens_with_the_call_from_its_first_token()
    {
        var body = JsonNode
            .Parse(
                Body(
                    Ask(ToolModel.Question),
                    new JsonObject
                    {
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "get_climate" },
                    }
                )
            )!
            .AsObject();
        body["chat_template_kwargs"] = new JsonObject { ["enable_thinking"] = false };

        var (status, response, _) = await tools.Harness.PostAsync("v1/chat/completions", body.ToJsonString());

        Assert.Equal(200, status);
        var json = JsonNode.Parse(response)!;
        Assert.Equal(0, (int)json["usage"]!["completion_tokens_details"]!["reasoning_tokens"]!);
        var message = json["choices"]![0]!["message"]!;
        // Whatever the model writes after it, the opening names get_climate: a parsed call or the text it began.
        if (message["tool_calls"] is JsonArray calls)
        {
            Assert.Equal("get_climate", (string?)calls[0]!["function"]!["name"]);
        }
        else
        {
            Assert.StartsWith(
                "<tool_call>\n{\"name\": \"get_climate\", \"arguments\": ",
                (string?)message["content"],
                StringComparison.Ordinal
            );
        }
    }
}
