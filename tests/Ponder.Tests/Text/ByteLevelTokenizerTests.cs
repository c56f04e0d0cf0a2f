using System.Text;
using Ponder.Text;

namespace Ponder.Tests.Text;

public sealed class ByteLevelTokenizerTests
{
    static readonly string[] FixedStrings =
    [
        "",
        "a",
        "Hello, world!",
        "  leading and trailing  ",
        "tabs\tand\r\nnewlines\n\n",
        "😀🎉👩‍👩‍👧‍👦",
        "中文字符和日本語のテキスト",
        "한국어",
        "e\u0301 a\u0308 combining marks",
        "\U00020000\U0002A6D6 plane 2",
        "<|im_end|> </think> look like control tokens",
        "\0 nul and \u007f del",
        "ÿþ Latin-1 ßæ",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    ];

    [Fact]
    public void Given_byte_level_tokenizer_then_sizes_and_special_ids_are_as_documented()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();

        Assert.Equal(261, tokenizer.VocabSize);
        Assert.Equal([256, 257, 258, 259, 260], tokenizer.SpecialTokenIds.Order());
        Assert.Equal(258, tokenizer.TokenToId("<|im_end|>"));
        Assert.Equal("</think>", tokenizer.IdToToken(260));
        Assert.Equal("Ġ", tokenizer.IdToToken(32));
        Assert.Equal(256, tokenizer.EosTokenId);
        Assert.Equal(256, tokenizer.PadTokenId);
        Assert.Null(tokenizer.BosTokenId);
        Assert.True(tokenizer.HasChatTemplate);
    }

    [Fact]
    public void Given_text_when_encoded_then_each_byte_is_one_id()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();

        // "é" is UTF-8 C3 A9; ids equal byte values.
        Assert.Equal([65, 32, 0xC3, 0xA9], tokenizer.Encode("A é"));
    }

    [Fact]
    public void Given_control_token_text_then_only_allow_mode_maps_it_to_the_token()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();

        Assert.Equal(
            Encoding.UTF8.GetBytes("x<|im_end|></think>").Select(b => (int)b),
            tokenizer.Encode("x<|im_end|></think>")
        );
        Assert.Equal([120, 258, 260], tokenizer.Encode("x<|im_end|></think>", allowSpecialTokens: true));
    }

    [Fact]
    public void Given_random_unicode_then_encode_decode_round_trips()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        var merged = TestTokenizers.Load(TestTokenizers.Json(arrayMerges: true));

        foreach (string text in FixedStrings.Concat(RandomStrings(seed: 1234, count: 200)))
        {
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
            Assert.Equal(text, merged.Decode(merged.Encode(text)));
        }
    }

    [Fact]
    public void Given_a_character_cut_in_the_middle_then_decode_gives_replacement_character()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        var ids = tokenizer.Encode("a😀"); // 61 F0 9F 98 80

        Assert.Equal("a\uFFFD", tokenizer.Decode(ids.Take(3)));
    }

    [Fact]
    public void Given_skip_special_tokens_then_control_tokens_vanish()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        var ids = tokenizer.Encode("<think>hi</think>", allowSpecialTokens: true);

        Assert.Equal("<think>hi</think>", tokenizer.Decode(ids));
        Assert.Equal("hi", tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("", tokenizer.Decode([300])); // a padding row of the embedding table
    }

    [Fact]
    public void Given_ids_fed_one_at_a_time_then_incremental_decoder_reproduces_decode()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        const string text = "héllo 😀 世界<|im_end|>";
        var ids = tokenizer.Encode(text, allowSpecialTokens: true);
        var decoder = tokenizer.CreateIncrementalDecoder();

        var pieces = ids.Select(decoder.Add).ToList();
        pieces.Add(decoder.Flush());

        Assert.Equal(tokenizer.Decode(ids), string.Concat(pieces));
        Assert.Equal(text, string.Concat(pieces));
        Assert.Equal("", pieces[1]); // first byte of "é" is held back
        Assert.Equal("é", pieces[2]);
    }

    [Fact]
    public void Given_an_unfinished_character_then_flush_gives_replacement_character()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        var decoder = tokenizer.CreateIncrementalDecoder();

        Assert.Equal("", decoder.Add(0xF0));
        Assert.Equal("\uFFFD", decoder.Flush());
    }

    [Fact]
    public void Given_saved_byte_level_tokenizer_when_loaded_then_encodings_are_identical()
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        using var dir = new TempDir();

        tokenizer.Save(dir.Path);
        var loaded = TextTokenizer.Load(dir.Path);

        Assert.True(File.Exists(Path.Combine(dir.Path, "tokenizer_config.json")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        foreach (string text in FixedStrings)
        {
            Assert.Equal(
                tokenizer.Encode(text, allowSpecialTokens: true),
                loaded.Encode(text, allowSpecialTokens: true)
            );
        }
        Assert.Equal(tokenizer.VocabSize, loaded.VocabSize);
        Assert.Equal(tokenizer.EosTokenId, loaded.EosTokenId);
    }

    [Fact]
    public void Given_loaded_hf_tokenizer_when_saved_then_files_are_copied_unchanged()
    {
        string json = TestTokenizers.Json(arrayMerges: false).ToJsonString();
        const string config = """{"eos_token": {"content": "<|im_end|>"}, "custom": 1}""";
        var tokenizer = TestTokenizers.Load(json, config);
        using var dir = new TempDir();

        tokenizer.Save(dir.Path);

        Assert.Equal(json, File.ReadAllText(Path.Combine(dir.Path, "tokenizer.json")));
        Assert.Equal(config, File.ReadAllText(Path.Combine(dir.Path, "tokenizer_config.json")));
        Assert.Equal(262, tokenizer.EosTokenId);
    }

    /// <summary>Code points across planes: ASCII, whitespace, Latin-1, combining marks, CJK, Hangul, emoji, plane
    /// 2.</summary>
    static IEnumerable<string> RandomStrings(int seed, int count)
    {
        (int From, int To)[] ranges =
        [
            (0x20, 0x7E),
            (0x09, 0x0A),
            (0x0D, 0x0D),
            (0xA0, 0xFF),
            (0x300, 0x36F),
            (0x4E00, 0x9FFF),
            (0xAC00, 0xD7A3),
            (0x1F300, 0x1FAFF),
            (0x20000, 0x2A6DF),
            (0xE000, 0xF8FF),
        ];
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var builder = new StringBuilder();
            int length = random.Next(0, 40);
            for (int j = 0; j < length; j++)
            {
                var (from, to) = ranges[random.Next(ranges.Length)];
                builder.Append(char.ConvertFromUtf32(random.Next(from, to + 1)));
            }
            yield return builder.ToString();
        }
    }
}
