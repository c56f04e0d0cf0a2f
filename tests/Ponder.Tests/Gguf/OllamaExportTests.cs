using System.Text.Json;
using Ponder.Checkpoints.Gguf;
using Ponder.LanguageModels;
using Ponder.Text;

namespace Ponder.Tests.Gguf;

/// <summary>The Modelfile: its TEMPLATE, rendered by Go's text/template (Ollama's engine) into the golden file,
/// reproduces Ponder's chat template byte for byte, thinking section included.</summary>
public sealed class OllamaExportTests
{
    static JsonElement Golden()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "ollama", "ponder-think.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    }

    static ChatRole Role(string name) =>
        name switch
        {
            "system" => ChatRole.System,
            "developer" => ChatRole.Developer,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

    [Fact]
    public void Given_the_golden_renders_of_the_ponder_template_Then_they_are_of_the_template_ponder_writes()
    {
        // A changed template must be rendered again (tests/ollama-template/main.go) for the next test to mean anything.
        Assert.Equal(OllamaFormats.PonderThink.Template, Golden().GetProperty("template").GetString());
    }

    [Fact]
    public void Given_each_test_conversation_Then_the_go_template_renders_what_ponder_s_chat_template_renders()
    {
        var template = new ChatTemplate(TextTokenizer.CreateByteLevel());
        var golden = Golden();
        var rendered = golden.GetProperty("rendered").EnumerateArray().Select(e => e.GetString()).ToArray();
        int i = 0;
        foreach (var c in golden.GetProperty("cases").EnumerateArray())
        {
            var messages = c.GetProperty("Messages")
                .EnumerateArray()
                .Select(m => new ChatMessage(
                    Role(m.GetProperty("Role").GetString()!),
                    m.GetProperty("Content").GetString()!,
                    m.TryGetProperty("Thinking", out var t) ? t.GetString() : null
                ))
                .ToArray();
            bool thinkOff = c.TryGetProperty("IsThinkSet", out _) && !c.TryGetProperty("Think", out _);

            Assert.Equal(rendered[i++], template.Render(messages, openThinking: !thinkOff).Text);
        }
        Assert.Equal(4, i);
    }

    [Fact]
    public void Given_a_ponder_model_Then_export_ollama_writes_the_gguf_and_a_modelfile_with_its_stops()
    {
        using var dir = new TempDir();
        using (var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 1))
            lm.Save(dir.File("model"));

        var format = OllamaExport.FromDirectory(dir.File("model"), dir.File("ollama"), GgufType.F16);

        Assert.Same(OllamaFormats.PonderThink, format);
        string modelfile = File.ReadAllText(dir.File("ollama/Modelfile"));
        Assert.StartsWith("# ChatML with <think> (Ponder)", modelfile, StringComparison.Ordinal);
        Assert.Contains("FROM ./model.gguf\n", modelfile, StringComparison.Ordinal);
        Assert.Contains("PARAMETER stop \"<|im_end|>\"\n", modelfile, StringComparison.Ordinal);
        Assert.DoesNotContain("SYSTEM", modelfile, StringComparison.Ordinal);
        Assert.Equal(1u, new GgufReader(dir.File("ollama/model.gguf")).Get<uint>("general.file_type"));
    }

    [Fact]
    public void Given_family_templates_Then_the_format_and_default_system_prompt_are_recognised()
    {
        const string qwen25 =
            "{%- if messages[0]['role'] == 'system' %}…{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by "
            + "Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}";

        Assert.Same(OllamaFormats.ChatMl, OllamaFormats.Recognize(qwen25));
        Assert.Equal(
            "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
            OllamaFormats.DefaultSystem(qwen25)
        );
        Assert.Same(OllamaFormats.Qwen3Think, OllamaFormats.Recognize("<|im_start|>… <think>\\n\\n</think>"));
        Assert.Same(OllamaFormats.Llama3, OllamaFormats.Recognize("<|start_header_id|>{{ role }}<|end_header_id|>"));
        Assert.Null(OllamaFormats.Recognize("<start_of_turn>user"));
        Assert.Null(OllamaFormats.DefaultSystem(ChatTemplate.Jinja));
    }

    [Fact]
    public void Given_an_out_path_that_is_a_file_Then_export_ollama_says_it_needs_a_folder()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("f"), "");

        var e = Assert.Throws<PonderException>(() => OllamaExport.FromDirectory(dir.Path, dir.File("f"), GgufType.F32));

        Assert.Contains("is a file", e.Message, StringComparison.Ordinal);
    }
}
