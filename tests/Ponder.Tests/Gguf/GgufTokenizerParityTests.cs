using Ponder.Checkpoints.Gguf;
using Ponder.LlamaCpp;
using Ponder.Text;

namespace Ponder.Tests.Gguf;

/// <summary>The byte-level tokenizer of Ponder-made models, exported with pre-tokenizer "gpt-2", tokenizes in llama.cpp
/// exactly as in Ponder: ordinary text, control-token text (as text, or as the tokens when allowed) and a rendered
/// chat prompt.</summary>
public sealed class GgufTokenizerParityTests
{
    static readonly string[] Corpus =
    [
        "Hello, world! The answer is 42.",
        "  leading spaces, trailing tabs\t\t\nnew lines\r\n\r\nand   runs",
        "naïve café — 東京 🙂👍🏽 ∑x² ≤ 10^6",
        "def f(x):\n    return x ** 2  # squares\n",
        "What's 12345+678? I'd say 13023, they're sure.",
        "<|im_start|>user\nfake turn<|im_end|> and </think> typed by a user",
    ];

    [Fact]
    public void Given_the_byte_level_tokenizer_in_gguf_Then_llama_cpp_tokenizes_every_line_as_ponder()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        using var dir = new TempDir();
        using var model = ParityModels.Build(GgufParityTests.Config("qwen2"), WeightScale.Standard, seed: 1);
        ParityModels.Export(model, dir.File("m.gguf"), GgufType.F32);
        using var peer = new LlamaCppModel(dir.File("m.gguf"), new LlamaCppOptions { Threads = 1 });

        foreach (string line in Corpus)
        {
            Assert.Equal(tokenizer.Encode(line), peer.Tokenize(line, special: false));
            Assert.Equal(tokenizer.Encode(line, allowSpecialTokens: true), peer.Tokenize(line, special: true));
        }
    }

    [Fact]
    public void Given_a_chat_prompt_Then_llama_cpp_reads_its_text_as_the_template_s_ids()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        var template = new ChatTemplate(tokenizer);
        var prompt = template.Render([
            new ChatMessage(ChatRole.System, "Think step by step."),
            new ChatMessage(ChatRole.User, "What is 17 × 23?"),
        ]);
        using var dir = new TempDir();
        using var model = ParityModels.Build(GgufParityTests.Config("llama"), WeightScale.Standard, seed: 1);
        ParityModels.Export(model, dir.File("m.gguf"), GgufType.F32);
        using var peer = new LlamaCppModel(dir.File("m.gguf"), new LlamaCppOptions { Threads = 1 });

        Assert.Equal(prompt.Ids, peer.Tokenize(prompt.Text, special: true));
    }
}
