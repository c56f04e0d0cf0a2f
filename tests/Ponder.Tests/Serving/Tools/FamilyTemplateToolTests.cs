using System.Text.Json;
using System.Text.Json.Nodes;
using Ponder.LanguageModels;
using Ponder.Tests.Text;

namespace Ponder.Tests.Serving.Tools;

/// <summary>Tools through a real family's own chat template: Qwen3's renders the tools block the server passes it;
/// Llama 3's (3.0) has no tools branch, so a request with tools is a 400 that says so.</summary>
public sealed class FamilyTemplateToolTests
{
    static LanguageModel Served(string family, string dir)
    {
        var tokenizer = FamilyTokenizers.Write(family, dir);
        var config = TinyModels.Qwen2(vocab: (tokenizer.VocabSize + 63) / 64 * 64) with
        {
            MaxPositionEmbeddings = 2048,
        };
        return LanguageModel.CreateFromConfig(config, seed: 3, tokenizer);
    }

    static string Body(bool withTools) =>
        new JsonObject
        {
            ["model"] = "family",
            ["messages"] = new JsonArray
            {
                new JsonObject { ["role"] = "user", ["content"] = ToolModel.Question },
            },
            ["max_tokens"] = 2,
            ["tools"] = withTools ? ToolModel.ChatTools() : null,
        }.ToJsonString();

    [Fact]
    public async Task Given_a_Qwen3_template_and_tools_Then_the_prompt_holds_the_template_s_tools_block()
    {
        using var dir = new TempDir();
        using var lm = Served("qwen3", dir.Path);
        await using var h = await ServerHarness.StartAsync(lm, new Server.ServerOptions { ModelId = "family" });

        var (status, body, _) = await h.PostAsync("v1/chat/completions", Body(withTools: true));

        Assert.Equal(200, status);
        var variables = new Dictionary<string, JsonElement>
        {
            ["tools"] = JsonSerializer.SerializeToElement(ToolModel.ChatTools()),
        };
        var messages = JsonSerializer.SerializeToElement(
            new JsonArray
            {
                new JsonObject { ["role"] = "user", ["content"] = ToolModel.Question },
            }
        );
        var expected = lm.Prompt!.RenderForGeneration(messages, "test", variables);
        Assert.Contains(
            "<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"",
            expected.Text,
            StringComparison.Ordinal
        );
        Assert.Contains("<tool_call>", expected.Text, StringComparison.Ordinal);
        Assert.Equal(expected.Ids.Count, (int)JsonNode.Parse(body)!["usage"]!["prompt_tokens"]!);
        var (_, without, _) = await h.PostAsync("v1/chat/completions", Body(withTools: false));
        Assert.True(expected.Ids.Count > (int)JsonNode.Parse(without)!["usage"]!["prompt_tokens"]! + 100);
    }

    [Theory]
    [InlineData("qwen2.5")]
    [InlineData("llama3.2")]
    public async Task Given_a_family_template_with_a_tools_branch_Then_the_tools_are_rendered_in_the_prompt(
        string family
    )
    {
        using var dir = new TempDir();
        using var lm = Served(family, dir.Path);
        await using var h = await ServerHarness.StartAsync(lm, new Server.ServerOptions { ModelId = "family" });

        var (status, body, _) = await h.PostAsync("v1/chat/completions", Body(withTools: true));

        Assert.True(status == 200, body);
        var expected = lm.Prompt!.RenderForGeneration(
            JsonSerializer.SerializeToElement(
                new JsonArray
                {
                    new JsonObject { ["role"] = "user", ["content"] = ToolModel.Question },
                }
            ),
            "test",
            new Dictionary<string, JsonElement> { ["tools"] = JsonSerializer.SerializeToElement(ToolModel.ChatTools()) }
        );
        Assert.Contains("\"get_climate\"", expected.Text, StringComparison.Ordinal);
        Assert.Equal(expected.Ids.Count, (int)JsonNode.Parse(body)!["usage"]!["prompt_tokens"]!);
    }

    [Fact]
    public async Task Given_a_template_without_a_tools_branch_Then_tools_are_a_400_naming_the_template()
    {
        using var dir = new TempDir();
        using var lm = Served("llama3", dir.Path);
        await using var h = await ServerHarness.StartAsync(lm, new Server.ServerOptions { ModelId = "family" });

        var (status, body, _) = await h.PostAsync("v1/chat/completions", Body(withTools: true));

        Assert.Equal(400, status);
        var error = JsonNode.Parse(body)!["error"]!;
        Assert.Equal("tools", (string?)error["param"]);
        Assert.Contains("chat template cannot render tools", (string?)error["message"], StringComparison.Ordinal);
    }
}
