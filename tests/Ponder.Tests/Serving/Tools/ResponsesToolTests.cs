using System.Text.Json.Nodes;

namespace Ponder.Tests.Serving.Tools;

/// <summary>Function calling in <c>/v1/responses</c>: flat tools, function_call output items, function_call and
/// function_call_output input items, and OpenAI's stream events for a call — with no reasoning in any byte.</summary>
[Collection(ToolModelGroup.Name)]
public sealed class ResponsesToolTests(ToolModel tools)
{
    static JsonArray FlatTools() =>
        [
            .. ToolModel
                .ChatTools()
                .Select(t => new JsonObject
                {
                    ["type"] = "function",
                    ["name"] = t!["function"]!["name"]!.DeepClone(),
                    ["description"] = t["function"]!["description"]!.DeepClone(),
                    ["parameters"] = t["function"]!["parameters"]!.DeepClone(),
                }),
        ];

    static string Body(JsonNode input, bool stream = false) =>
        new JsonObject
        {
            ["model"] = ToolModel.Model,
            ["input"] = input,
            ["temperature"] = 0,
            ["max_output_tokens"] = 200,
            ["tools"] = FlatTools(),
            ["stream"] = stream,
        }.ToJsonString();

    static JsonArray Question() => [new JsonObject { ["role"] = "user", ["content"] = ToolModel.Question }];

    [Fact]
    public async Task Given_tools_Then_the_call_is_a_function_call_item_and_its_output_brings_the_final_answer()
    {
        var (status, body, _) = await tools.Harness.PostAsync("v1/responses", Body(Question()));

        Assert.Equal(200, status);
        var output = JsonNode.Parse(body)!["output"]!.AsArray();
        var call = Assert.Single(output, o => (string?)o!["type"] == "function_call")!;
        Assert.Equal("get_weather", (string?)call["name"]);
        Assert.Equal("""{"city": "Paris"}""", (string?)call["arguments"]);
        Assert.Equal("completed", (string?)call["status"]);
        Assert.DoesNotContain(output, o => (string?)o!["type"] == "message");

        var input = Question();
        input.Add(call.DeepClone());
        input.Add(
            new JsonObject
            {
                ["type"] = "function_call_output",
                ["call_id"] = call["call_id"]!.DeepClone(),
                ["output"] = ToolModel.Result,
            }
        );
        var (status2, body2, _) = await tools.Harness.PostAsync("v1/responses", Body(input));

        Assert.Equal(200, status2);
        var message = Assert.Single(
            JsonNode.Parse(body2)!["output"]!.AsArray(),
            o => (string?)o!["type"] == "message"
        )!;
        Assert.Equal(ToolModel.FinalAnswer, (string?)message["content"]![0]!["text"]);
        Assert.DoesNotContain(ToolModel.Secret, body + body2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_streamed_call_Then_OpenAI_s_function_call_events_come_in_order_without_reasoning()
    {
        var (status, sse, _) = await tools.Harness.PostAsync("v1/responses", Body(Question(), stream: true));

        Assert.Equal(200, status);
        Assert.DoesNotContain(ToolModel.Secret, sse, StringComparison.Ordinal);
        var events = sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e =>
                JsonNode.Parse(e.Split('\n').Single(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..])!
            )
            .ToList();
        var types = events.Select(e => (string)e["type"]!).ToList();
        Assert.Equal(
            [
                "response.created",
                "response.output_item.added",
                "response.output_item.done",
                "response.output_item.added",
                "response.function_call_arguments.delta",
                "response.function_call_arguments.done",
                "response.output_item.done",
                "response.completed",
            ],
            types
        );
        var added = events[3]["item"]!;
        Assert.Equal("function_call", (string?)added["type"]);
        Assert.Equal("", (string?)added["arguments"]);
        Assert.Equal("""{"city": "Paris"}""", (string?)events[4]["delta"]);
        Assert.Equal((string?)added["id"], (string?)events[5]["item_id"]);
        Assert.Equal("get_weather", (string?)events[6]["item"]!["name"]);
        Assert.Equal("completed", (string?)events[6]["item"]!["status"]);
        Assert.Equal((string?)events[6]["item"]!["call_id"], (string?)events[7]["response"]!["output"]![1]!["call_id"]);
    }

    [Fact]
    public async Task Given_a_named_tool_choice_missing_from_the_tools_Then_400_naming_tool_choice()
    {
        var body = JsonNode.Parse(Body(Question()))!.AsObject();
        body["tool_choice"] = new JsonObject { ["type"] = "function", ["name"] = "get_rain" };

        var (status, response, _) = await tools.Harness.PostAsync("v1/responses", body.ToJsonString());

        Assert.Equal(400, status);
        Assert.Equal("tool_choice", (string?)JsonNode.Parse(response)!["error"]!["param"]);
    }

    [Theory]
    [InlineData("""{"type":"function_call_output","output":"21"}""", "input[1].call_id")]
    [InlineData(
        """{"type":"function_call","call_id":"c","name":"get_weather","arguments":"[1]"}""",
        "input[1].arguments"
    )]
    [InlineData("""{"type":"web_search_call"}""", "input[1].type")]
    [InlineData("""{"role":"robot","content":"x"}""", "input[1].role")]
    public async Task Given_a_bad_input_item_Then_400_naming_its_field(string item, string param)
    {
        var input = Question();
        input.Add(JsonNode.Parse(item));

        var (status, response, _) = await tools.Harness.PostAsync("v1/responses", Body(input));

        Assert.Equal(400, status);
        Assert.Equal(param, (string?)JsonNode.Parse(response)!["error"]!["param"]);
    }
}
