using System.Text.Json;
using Ponder.Tests.Text.Jinja;
using Ponder.Text;

namespace Ponder.Tests.Text;

/// <summary>Tools in the built-in ChatML (its renderings of the tool conversations are compared with
/// @huggingface/jinja's in FamilyChatTemplateTests) and continuing a conversation after a call.</summary>
public sealed class ChatTemplateToolsTests
{
    static readonly TextTokenizer Tokenizer = TextTokenizer.CreateByteLevel();
    static readonly ChatTemplate Template = new(Tokenizer);

    static readonly ChatMessage Call = new(
        ChatRole.Assistant,
        "",
        "use python",
        [new ToolCall("python", """{"code": "print(6*7)"}""")]
    );

    [Fact]
    public void Given_the_oracle_fixture_Then_it_is_the_built_in_template()
    {
        // The goldens of ponder-chatml come from this file: they check the constant only if the two are the same.
        Assert.Equal(ChatTemplate.Jinja.Trim(), TemplateFixtures.Template("ponder-chatml").Trim());
    }

    [Fact]
    public void Given_a_model_saved_before_tools_Then_its_template_is_still_the_built_in_ChatML()
    {
        Assert.True(PromptFormat.IsPondersChatMl(ChatTemplate.JinjaWithoutTools));
        Assert.True(PromptFormat.IsPondersChatMl(ChatTemplate.Jinja));
        Assert.Equal(ToolCallFormat.Hermes, PromptFormat.For(Tokenizer)!.ToolFormat);
    }

    [Fact]
    public void Given_a_call_and_its_result_Then_training_masks_the_call_and_not_the_result()
    {
        List<ChatMessage> conversation =
        [
            new(ChatRole.User, "6*7?"),
            Call,
            new(ChatRole.Tool, "42"),
            new(ChatRole.Assistant, "42", "the tool said 42"),
        ];

        var (ids, mask) = Template.RenderForTraining(conversation);

        string learned = Tokenizer.Decode([.. ids.Where((_, i) => mask[i])], skipSpecialTokens: false);
        string notLearned = Tokenizer.Decode([.. ids.Where((_, i) => !mask[i])], skipSpecialTokens: false);
        Assert.Equal(
            "<think>\nuse python\n</think>\n<tool_call>\n{\"name\": \"python\", \"arguments\": "
                + "{\"code\": \"print(6*7)\"}}\n</tool_call><|im_end|>"
                + "<think>\nthe tool said 42\n</think>\n42<|im_end|>",
            learned
        );
        Assert.Equal(
            "<|im_start|>user\n6*7?<|im_end|>\n<|im_start|>assistant\n\n"
                + "<|im_start|>user\n<tool_response>\n42\n</tool_response><|im_end|>\n<|im_start|>assistant\n\n",
            notLearned
        );
    }

    [Fact]
    public void Given_results_of_a_call_Then_the_continuation_is_the_result_turn_and_a_new_open_reasoning()
    {
        var format = PromptFormat.For(Tokenizer)!;

        var ids = format.ToolResultTokens([new ChatMessage(ChatRole.Tool, "42"), new(ChatRole.Tool, "7")]);

        Assert.Equal(
            "\n<|im_start|>user\n<tool_response>\n42\n</tool_response>\n<tool_response>\n7\n</tool_response>"
                + "<|im_end|>\n<|im_start|>assistant\n<think>\n",
            Tokenizer.Decode(ids, skipSpecialTokens: false)
        );
    }

    [Fact]
    public void Given_the_model_writes_its_call_Then_appending_the_continuation_equals_rendering_the_conversation()
    {
        var format = PromptFormat.For(Tokenizer)!;
        List<ChatMessage> question = [new(ChatRole.User, "6*7?")];
        var prompt = format.RenderForGeneration(question).Ids;
        // What the model writes after the prompt's "<think>\n": its reasoning, the call and the end of its turn.
        var turn = Tokenizer.Encode(
            "use python\n</think>\n" + ChatTemplate.CallsText(Call) + "<|im_end|>",
            allowSpecialTokens: true
        );

        var continued = prompt.Concat(turn).Concat(format.ToolResultTokens([new(ChatRole.Tool, "42")]));

        var rendered = format.RenderForGeneration([.. question, Call, new(ChatRole.Tool, "42")]).Ids;
        Assert.Equal(rendered, continued);
    }

    [Fact]
    public void Given_a_qwen3_template_Then_the_continuation_is_its_tool_response_turn()
    {
        using var dir = new TempDir();
        var tokenizer = FamilyTokenizers.Write("qwen3", dir.Path);
        var format = PromptFormat.For(tokenizer, TemplateFixtures.Clock)!;

        var ids = format.ToolResultTokens([new ChatMessage(ChatRole.Tool, "42")]);

        Assert.Equal(ToolCallFormat.Hermes, format.ToolFormat);
        Assert.Equal(
            "\n<|im_start|>user\n<tool_response>\n42\n</tool_response><|im_end|>\n<|im_start|>assistant\n<think>\n",
            tokenizer.Decode(ids, skipSpecialTokens: false)
        );
    }

    [Fact]
    public void Given_openai_messages_with_calls_and_results_Then_the_built_in_template_reads_them()
    {
        using var doc = JsonDocument.Parse(
            """
            [{"role": "user", "content": "6*7?"},
             {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
               "function": {"name": "python", "arguments": {"code": "print(6*7)"}}}]},
             {"role": "tool", "tool_call_id": "call_1", "content": "42"}]
            """
        );

        var messages = ChatMessages.FromJson(doc.RootElement, "request");

        Assert.Equal(ChatRole.Tool, messages[2].Role);
        Assert.Equal("call_1", messages[2].ToolCallId);
        Assert.Equal(new ToolCall("python", """{"code": "print(6*7)"}"""), messages[1].ToolCalls!.Single());
    }

    [Fact]
    public void Given_a_call_without_a_name_Then_the_error_names_the_message()
    {
        using var doc = JsonDocument.Parse("""[{"role": "assistant", "content": "", "tool_calls": [{"id": "x"}]}]""");

        var e = Assert.Throws<PonderException>(() => ChatMessages.FromJson(doc.RootElement, "request"));

        Assert.Contains("request: message 0: tool_calls[0] has no string \"function.name\"", e.Message);
    }
}
