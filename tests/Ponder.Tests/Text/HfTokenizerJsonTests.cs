using System.Text.Json.Nodes;
using Ponder.Text;

namespace Ponder.Tests.Text;

public sealed class HfTokenizerJsonTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Given_merges_in_either_format_then_ids_match_the_hand_computed_ones(bool arrayMerges)
    {
        var tokenizer = TestTokenizers.Load(TestTokenizers.Json(arrayMerges));

        // GPT-2 regex splits "hello world" into "hello" and " world" (byte-level "Ġworld").
        // "hello": h e l l o → merge rank 0 "h e" → he l l o → rank 1 "l l" → he ll o → rank 2 → hell o → rank 3 →
        // hello=259. "Ġworld": only rank 4 "Ġ w" applies → Ġw=260, then the bytes o=111 r=114 l=108 d=100 ("l" alone:
        // no "l l" pair).
        Assert.Equal([259, 260, 111, 114, 108, 100], tokenizer.Encode("hello world"));
    }

    [Fact]
    public void Given_qwen2_style_nfc_normalizer_then_decomposed_text_encodes_as_composed()
    {
        var json = TestTokenizers.Json(
            arrayMerges: true,
            TestTokenizers.SplitThenByteLevel(TestTokenizers.Qwen2Pattern),
            new JsonObject { ["type"] = "NFC" }
        );
        var tokenizer = TestTokenizers.Load(json);

        // "e\u0301" → NFC "é" → UTF-8 C3 A9 → byte ids 195, 169 (without NFC it would be 101, 204, 129).
        Assert.Equal([195, 169], tokenizer.Encode("e\u0301"));
    }

    [Fact]
    public void Given_llama3_and_qwen2_split_patterns_then_digits_group_by_three_or_one()
    {
        var llama = TestTokenizers.Load(
            TestTokenizers.Json(true, TestTokenizers.SplitThenByteLevel(TestTokenizers.Llama3Pattern))
        );
        var qwen = TestTokenizers.Load(
            TestTokenizers.Json(true, TestTokenizers.SplitThenByteLevel(TestTokenizers.Qwen2Pattern))
        );

        // Llama 3: \p{N}{1,3} gives "123" "45" → merges 1+2=12, 12+3=123 (265) and 4+5=45 (266).
        Assert.Equal([265, 266], llama.Encode("12345"));
        // Qwen2: \p{N} gives one piece per digit, so no merge can apply: bytes '1'..'5' = 49..53.
        Assert.Equal([49, 50, 51, 52, 53], qwen.Encode("12345"));
    }

    [Fact]
    public void Given_letters_and_digits_outside_the_bmp_then_the_split_regex_sees_them_as_letters_and_digits()
    {
        var json = TestTokenizers.Json(true, TestTokenizers.SplitThenByteLevel(TestTokenizers.Qwen2Pattern));
        // Two merges that join a space or "a" with the first UTF-8 byte (F0, "ð") of a 4-byte character.
        json["model"]!["vocab"]!["að"] = 268;
        json["model"]!["vocab"]!["Ġð"] = 269;
        json["model"]!["merges"]!.AsArray().Add(new JsonArray("a", "ð"));
        json["model"]!["merges"]!.AsArray().Add(new JsonArray("Ġ", "ð"));
        var tokenizer = TestTokenizers.Load(json);

        // 𝐀 (U+1D400, F0 9D 90 80) is a letter, so [^\r\n\p{L}\p{N}]?\p{L}+ takes "a𝐀" as one piece: a+F0 → 268.
        // 𝟏 (U+1D7CF, F0 9D 9F 8F) is a digit, so the space before it is its own piece (32) and F0 stays a byte.
        // Reading UTF-16 units instead, both would be symbols: "a" alone, and " 𝟏" merged as 269.
        Assert.Equal([268, 157, 144, 128, 32, 240, 157, 159, 143], tokenizer.Encode("a\U0001D400 \U0001D7CF"));
    }

    [Theory]
    [InlineData(true, new[] { 268 })]
    [InlineData(false, new[] { 119, 111, 114 })]
    public void Given_ignore_merges_then_a_piece_in_the_vocabulary_is_one_token_even_if_no_merge_reaches_it(
        bool ignoreMerges,
        int[] expected
    )
    {
        var json = TestTokenizers.Json(arrayMerges: true);
        json["model"]!["vocab"]!["wor"] = 268;
        json["model"]!["ignore_merges"] = ignoreMerges;
        var tokenizer = TestTokenizers.Load(json);

        // No merge joins w, o, r: only ignore_merges (Llama 3) maps the whole piece "wor" to its vocabulary id.
        Assert.Equal(expected, tokenizer.Encode("wor"));
    }

    [Fact]
    public void Given_digits_individual_pre_tokenizer_then_digits_are_split()
    {
        var pre = new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Digits", ["individual_digits"] = true },
                new JsonObject
                {
                    ["type"] = "ByteLevel",
                    ["add_prefix_space"] = false,
                    ["use_regex"] = true,
                }
            ),
        };
        var tokenizer = TestTokenizers.Load(TestTokenizers.Json(true, pre));

        Assert.Equal([49, 50, 51], tokenizer.Encode("123"));
    }

    [Fact]
    public void Given_added_tokens_then_they_split_out_only_when_allowed()
    {
        var tokenizer = TestTokenizers.Load(TestTokenizers.Json(arrayMerges: true));

        // <|im_end|> = 262 (special), <tool> = 263 (not special: still a control token, still only when allowed).
        Assert.Equal([259, 262, 263], tokenizer.Encode("hello<|im_end|><tool>", allowSpecialTokens: true));
        var plain = tokenizer.Encode("hello<|im_end|><tool>");
        Assert.DoesNotContain(262, plain);
        Assert.DoesNotContain(263, plain);
        Assert.Equal("hello<|im_end|><tool>", tokenizer.Decode(plain));
        Assert.Equal([261, 262, 267], tokenizer.SpecialTokenIds.Order());
        Assert.Equal(268, tokenizer.VocabSize);
    }

    [Fact]
    public void Given_llama3_template_processing_then_bos_is_exposed_and_added_on_request()
    {
        var tokenizer = TestTokenizers.Load(
            TestTokenizers.Json(
                true,
                TestTokenizers.SplitThenByteLevel(TestTokenizers.Llama3Pattern),
                postProcessor: TestTokenizers.BosTemplate()
            )
        );

        Assert.Equal(267, tokenizer.BosTokenId);
        Assert.True(tokenizer.AddsBosByDefault);
        Assert.Equal([267, 259], tokenizer.Encode("hello", addBos: true));
        Assert.Equal([259], tokenizer.Encode("hello"));
    }

    [Fact]
    public void Given_unigram_model_then_error_names_file_and_type()
    {
        var json = TestTokenizers.Json(true);
        json["model"]!["type"] = "Unigram";

        var error = Assert.Throws<PonderException>(() => TestTokenizers.Load(json));

        Assert.Equal(
            "tokenizer.json: model type \"Unigram\" is not supported; Ponder reads byte-level BPE tokenizers "
                + "(Qwen2, Llama 3, SmolLM2, GPT-2)",
            error.Message
        );
    }

    [Theory]
    [InlineData("{ \"model\": ", "not valid JSON")]
    [InlineData(
        "{\"model\": {\"type\": \"BPE\"}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}",
        "\"model.vocab\" is missing"
    )]
    [InlineData("{\"version\": \"1.0\"}", "\"model\" is missing")]
    [InlineData(
        "{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"pre_tokenizer\": {\"type\": \"Metaspace\"}}",
        "Metaspace"
    )]
    public void Given_malformed_tokenizer_json_then_error_names_file_and_field(string json, string expected)
    {
        var error = Assert.Throws<PonderException>(() => TestTokenizers.Load(json));

        Assert.StartsWith("tokenizer.json: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Given_missing_file_then_error_says_so()
    {
        using var dir = new TempDir();

        var error = Assert.Throws<PonderException>(() => TextTokenizer.Load(dir.Path));

        Assert.Contains("tokenizer.json: not found", error.Message);
    }
}
