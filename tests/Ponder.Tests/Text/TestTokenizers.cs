using System.Text.Json.Nodes;
using Ponder.Text;

namespace Ponder.Tests.Text;

/// <summary>Small hand-made Hugging Face tokenizer.json files, written to temp folders.</summary>
static class TestTokenizers
{
    public const string Qwen2Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    public const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>
    /// Vocabulary: the 256 byte tokens with id = byte value ("Ġ" is the space byte 32), then the merges below in
    /// rank order: he=256, ll=257, hell=258, hello=259, Ġw=260, 12=264, 123=265, 45=266.
    /// Added tokens: &lt;|endoftext|&gt;=261 and &lt;|im_end|&gt;=262 (special), &lt;tool&gt;=263 (not special),
    /// &lt;|begin_of_text|&gt;=267 (special).
    /// </summary>
    public static readonly (string Left, string Right, int Id)[] Merges =
    [
        ("h", "e", 256),
        ("l", "l", 257),
        ("he", "ll", 258),
        ("hell", "o", 259),
        ("Ġ", "w", 260),
        ("1", "2", 264),
        ("12", "3", 265),
        ("4", "5", 266),
    ];

    public static JsonObject Json(
        bool arrayMerges,
        JsonNode? preTokenizer = null,
        JsonNode? normalizer = null,
        JsonNode? postProcessor = null
    )
    {
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++)
        {
            vocab[ByteLevel.ByteToChar[b].ToString()] = b;
        }
        var merges = new JsonArray();
        foreach (var (left, right, id) in Merges)
        {
            vocab[left + right] = id;
            merges.Add(arrayMerges ? new JsonArray(left, right) : JsonValue.Create(left + " " + right));
        }
        var added = new JsonArray(
            Added(261, "<|endoftext|>", true),
            Added(262, "<|im_end|>", true),
            Added(263, "<tool>", false),
            Added(267, "<|begin_of_text|>", true)
        );
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] =
                preTokenizer
                ?? new JsonObject
                {
                    ["type"] = "ByteLevel",
                    ["add_prefix_space"] = false,
                    ["use_regex"] = true,
                },
            ["post_processor"] = postProcessor,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["vocab"] = vocab,
                ["merges"] = merges,
            },
        };
    }

    public static JsonObject SplitThenByteLevel(string pattern) =>
        new()
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "Split",
                    ["pattern"] = new JsonObject { ["Regex"] = pattern },
                    ["behavior"] = "Isolated",
                    ["invert"] = false,
                },
                new JsonObject
                {
                    ["type"] = "ByteLevel",
                    ["add_prefix_space"] = false,
                    ["use_regex"] = false,
                }
            ),
        };

    public static JsonObject BosTemplate() =>
        new()
        {
            ["type"] = "TemplateProcessing",
            ["single"] = new JsonArray(
                new JsonObject
                {
                    ["SpecialToken"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["type_id"] = 0 },
                },
                new JsonObject
                {
                    ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 },
                }
            ),
        };

    static JsonObject Added(int id, string content, bool special) =>
        new()
        {
            ["id"] = id,
            ["content"] = content,
            ["single_word"] = false,
            ["lstrip"] = false,
            ["rstrip"] = false,
            ["normalized"] = false,
            ["special"] = special,
        };

    /// <summary>Writes the files to a temp folder, loads them and deletes the folder.</summary>
    public static TextTokenizer Load(string tokenizerJson, string? configJson = null)
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "tokenizer.json"), tokenizerJson);
        if (configJson is not null)
        {
            File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"), configJson);
        }
        return TextTokenizer.Load(dir.Path);
    }

    public static TextTokenizer Load(JsonObject json, string? configJson = null) =>
        Load(json.ToJsonString(), configJson);
}
