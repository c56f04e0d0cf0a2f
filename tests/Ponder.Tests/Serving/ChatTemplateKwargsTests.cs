using System.Text.Json.Nodes;

namespace Ponder.Tests.Serving;

/// <summary>vLLM's <c>chat_template_kwargs</c> on /v1/chat/completions: template variables such as
/// <c>enable_thinking</c>; anything but an object is a 400 naming the field.</summary>
public sealed class ChatTemplateKwargsTests(ServedModel tiny) : IClassFixture<ServedModel>
{
    const string Messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":12";

    [Theory]
    [InlineData("\"off\"", "chat_template_kwargs")]
    [InlineData("[1]", "chat_template_kwargs")]
    [InlineData("{\"messages\":[]}", "chat_template_kwargs.messages")]
    [InlineData("{\"add_generation_prompt\":false}", "chat_template_kwargs.add_generation_prompt")]
    public async Task Given_kwargs_that_are_not_template_variables_Then_400_naming_the_field(
        string kwargs,
        string param
    )
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);

        var (status, body, _) = await h.PostAsync(
            "v1/chat/completions",
            "{\"model\":\"tiny\"," + Messages + ",\"chat_template_kwargs\":" + kwargs + "}"
        );

        Assert.Equal(400, status);
        Assert.Equal(param, (string?)JsonNode.Parse(body)!["error"]!["param"]);
    }

    [Fact]
    public async Task Given_enable_thinking_false_Then_the_reasoning_is_not_opened_and_all_output_is_answer()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);

        var (status, body, _) = await h.PostAsync(
            "v1/chat/completions",
            "{\"model\":\"tiny\","
                + Messages
                + ",\"temperature\":0,\"chat_template_kwargs\":{\"enable_thinking\":false}}"
        );

        Assert.Equal(200, status);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(0, (int)json["usage"]!["completion_tokens_details"]!["reasoning_tokens"]!);
        // Without kwargs the same prompt opens the reasoning, one token longer ("<think>" then "\n").
        var off = tiny.Reference.Prompt!.RenderForGeneration(
            [new Ponder.Text.ChatMessage(Ponder.Text.ChatRole.User, "hi")],
            new Dictionary<string, System.Text.Json.JsonElement>
            {
                ["enable_thinking"] = System.Text.Json.JsonSerializer.SerializeToElement(false),
            }
        );
        Assert.Equal(off.Ids.Count, (int)json["usage"]!["prompt_tokens"]!);
        Assert.False(off.ReasoningOpen);
    }
}
