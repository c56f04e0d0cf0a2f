using System.Text.Json.Nodes;
using Ponder.Tests.Text;
using Ponder.Tests.Text.Jinja;

namespace Ponder.Tests.Cli;

/// <summary><c>ponder template</c> on a folder holding only tokenizer files.</summary>
public sealed class TemplateCommandTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    string Messages(string json)
    {
        string path = dir.File("messages.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Given_qwen3_files_and_thinking_off_Then_json_has_the_oracles_text_and_its_token_ids()
    {
        var tokenizer = FamilyTokenizers.Write("qwen3", dir.Path);
        string messages = Messages("""[{"role": "user", "content": "Say hi."}]""");

        var (code, output, error) = PonderCli.Run(
            "template",
            "--model",
            dir.Path,
            "--messages",
            messages,
            "--set",
            "enable_thinking=false",
            "--json"
        );

        Assert.True(code == 0, error);
        var json = JsonNode.Parse(output)!;
        string text = (string)json["text"]!;
        Assert.Equal(TemplateFixtures.Golden("qwen3", "thinking-off", out _), text);
        Assert.Equal(
            tokenizer.Encode(text, allowSpecialTokens: true),
            json["token_ids"]!.AsArray().Select(x => (int)x!)
        );
        Assert.Equal("model", (string?)json["template"]);
    }

    [Fact]
    public void Given_no_generation_prompt_Then_the_text_ends_with_the_last_turn_and_the_ids_follow()
    {
        FamilyTokenizers.Write("llama3.2", dir.Path);
        string messages = Messages(
            """[{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello."}]"""
        );

        var (code, output, _) = PonderCli.Run(
            "template",
            "--model",
            dir.Path,
            "--messages",
            messages,
            "--no-generation-prompt"
        );

        Assert.Equal(0, code);
        Assert.Contains("Hello.<|eot_id|>\n── ", output, StringComparison.Ordinal);
        Assert.Contains(" token ids ──\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"role\": \"user\"}", "expected a JSON array of messages")]
    [InlineData("[{\"content\": \"hi\"}]", "message 0 has no string \"role\"")]
    [InlineData("[{\"role\": \"user\", \"content\": 3}]", "message 0: \"content\" should be a string")]
    [InlineData("[{\"role\": \"user\", \"content\": \"hi\"", "not valid JSON")]
    public void Given_a_bad_messages_file_Then_the_error_names_the_file_and_what_is_wrong(string content, string what)
    {
        FamilyTokenizers.Write("smollm2", dir.Path);
        string messages = Messages(content);

        var (code, _, error) = PonderCli.Run("template", "--model", dir.Path, "--messages", messages);

        Assert.Equal(1, code);
        Assert.Contains(messages, error, StringComparison.Ordinal);
        Assert.Contains(what, error, StringComparison.Ordinal);
    }
}
