using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ponder.Text;

/// <summary>
/// The tokenizer.json and tokenizer_config.json of <see cref="TextTokenizer.CreateByteLevel"/>: ordinary Hugging Face
/// files (BPE, ByteLevel, no merges) that HF tokenizers, transformers and llama.cpp read as they are.
/// </summary>
static class ByteLevelTokenizerFiles
{
    /// <summary>Special tokens after the 256 bytes, in id order (256, 257, …).</summary>
    public static readonly string[] SpecialTokens =
    [
        "<|endoftext|>",
        "<|im_start|>",
        "<|im_end|>",
        "<think>",
        "</think>",
    ];

    static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Keep "Ġ" and friends readable, as HF writes them.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string TokenizerJson() =>
        Write(w =>
        {
            w.WriteString("version", "1.0");
            w.WriteNull("truncation");
            w.WriteNull("padding");
            w.WriteStartArray("added_tokens");
            for (int i = 0; i < SpecialTokens.Length; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", 256 + i);
                w.WriteString("content", SpecialTokens[i]);
                w.WriteBoolean("single_word", false);
                w.WriteBoolean("lstrip", false);
                w.WriteBoolean("rstrip", false);
                w.WriteBoolean("normalized", false);
                w.WriteBoolean("special", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNull("normalizer");
            WriteByteLevel(w, "pre_tokenizer", trimOffsets: true);
            WriteByteLevel(w, "post_processor", trimOffsets: false);
            WriteByteLevel(w, "decoder", trimOffsets: true);
            w.WriteStartObject("model");
            w.WriteString("type", "BPE");
            w.WriteNull("dropout");
            w.WriteNull("unk_token");
            w.WriteNull("continuing_subword_prefix");
            w.WriteNull("end_of_word_suffix");
            w.WriteBoolean("fuse_unk", false);
            w.WriteBoolean("byte_fallback", false);
            w.WriteBoolean("ignore_merges", false);
            w.WriteStartObject("vocab");
            for (int b = 0; b < 256; b++)
            {
                w.WriteNumber(ByteLevel.ByteToChar[b].ToString(), b);
            }
            w.WriteEndObject();
            w.WriteStartArray("merges");
            w.WriteEndArray();
            w.WriteEndObject();
        });

    public static string TokenizerConfigJson() =>
        Write(w =>
        {
            w.WriteBoolean("add_bos_token", false);
            w.WriteBoolean("add_eos_token", false);
            w.WriteNull("bos_token");
            w.WriteString("eos_token", "<|endoftext|>");
            w.WriteString("pad_token", "<|endoftext|>");
            w.WriteNull("unk_token");
            w.WriteBoolean("clean_up_tokenization_spaces", false);
            // HF's "no limit" value; the model config states the real context length.
            w.WritePropertyName("model_max_length");
            w.WriteRawValue("1000000000000000019884624838656");
            w.WriteString("tokenizer_class", "PreTrainedTokenizerFast");
            w.WriteString("chat_template", ChatTemplate.Jinja);
        });

    static void WriteByteLevel(Utf8JsonWriter w, string name, bool trimOffsets)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", false);
        w.WriteBoolean("trim_offsets", trimOffsets);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();
    }

    static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
