using System.Globalization;
using System.Text;
using System.Text.Json;
using Ponder.Text;

namespace Ponder.Tests.Text;

/// <summary>
/// The real families' tokenizers against Hugging Face's own (the tokenizers npm package) on every line of
/// tests/oracles/tokenizers/corpus.json: code, CJK, emoji, long digit runs, whitespace runs, NFC/NFD text, special
/// tokens typed as text, mixed scripts. Each test reports every differing line, not only the first.
/// </summary>
public sealed class RealTokenizerTests
{
    public static TheoryData<string> Families => RealTokenizers.Families;

    [Theory]
    [MemberData(nameof(Families))]
    public void Given_a_real_tokenizer_When_added_tokens_are_allowed_Then_ids_equal_hugging_faces(string family)
    {
        var tokenizer = RealTokenizers.Get(family);

        AssertAllEqual(family, c => c.Ids, c => tokenizer.Encode(c.Text, allowSpecialTokens: true));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Given_a_real_tokenizer_When_added_tokens_are_not_allowed_Then_ids_equal_hugging_faces_plain_bpe(
        string family
    )
    {
        var tokenizer = RealTokenizers.Get(family);

        AssertAllEqual(family, c => c.PlainIds, c => tokenizer.Encode(c.Text));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Given_a_real_tokenizer_When_encoding_with_its_default_special_tokens_Then_ids_equal_hugging_faces(
        string family
    )
    {
        var tokenizer = RealTokenizers.Get(family);

        // HF's add_special_tokens=true runs the post-processor: BOS where a TemplateProcessing adds one.
        AssertAllEqual(
            family,
            c => c.IdsAddSpecial,
            c => tokenizer.Encode(c.Text, allowSpecialTokens: true, addBos: tokenizer.AddsBosByDefault)
        );
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Given_a_real_tokenizer_When_decoding_the_oracles_ids_Then_text_equals_hugging_faces(string family)
    {
        var tokenizer = RealTokenizers.Get(family);

        AssertAllEqual(family, c => c.Decoded, c => tokenizer.Decode(c.Ids));
        AssertAllEqual(family, c => c.DecodedSkipSpecial, c => tokenizer.Decode(c.Ids, skipSpecialTokens: true));
        AssertAllEqual(family, c => c.DecodedPlain, c => tokenizer.Decode(c.PlainIds));
        // The first half of the ids may end inside a character: HF and Ponder both write U+FFFD for the cut bytes.
        AssertAllEqual(family, c => c.DecodedPrefix, c => tokenizer.Decode(c.Ids.Take(c.Prefix)));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Given_a_real_tokenizer_When_streaming_the_oracles_ids_Then_the_pieces_join_to_hugging_faces_text(
        string family
    )
    {
        var tokenizer = RealTokenizers.Get(family);

        AssertAllEqual(
            family,
            c => c.Decoded,
            c =>
            {
                var decoder = tokenizer.CreateIncrementalDecoder();
                var text = new StringBuilder();
                foreach (int id in c.Ids)
                {
                    text.Append(decoder.Add(id));
                }
                return text.Append(decoder.Flush()).ToString();
            }
        );
    }

    [Theory]
    // family, vocab size, bos, adds bos, eos, pad, chat template, special ids
    [InlineData("qwen3", 151669, null, false, 151645, 151643, true, 14)]
    [InlineData("llama3", 128256, 128000, false, 128001, null, true, 256)]
    [InlineData("gpt2", 50257, 50256, false, 50256, null, false, 1)]
    [InlineData("smollm2-style", 50261, 50257, false, 50258, 50258, false, 3)]
    public void Given_a_real_tokenizer_config_Then_its_special_tokens_are_read(
        string family,
        int vocabSize,
        int? bos,
        bool addsBos,
        int? eos,
        int? pad,
        bool chatTemplate,
        int specialCount
    )
    {
        var tokenizer = RealTokenizers.Get(family);

        // Neither Llama 3's file (a ByteLevel post-processor, no add_bos_token) nor the others make HF add a BOS:
        // the goldens' idsAddSpecial equal their ids.
        Assert.Equal(
            (vocabSize, bos, addsBos, eos, pad, chatTemplate, specialCount),
            (
                tokenizer.VocabSize,
                tokenizer.BosTokenId,
                tokenizer.AddsBosByDefault,
                tokenizer.EosTokenId,
                tokenizer.PadTokenId,
                tokenizer.HasChatTemplate,
                tokenizer.SpecialTokenIds.Count
            )
        );
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Given_a_real_tokenizer_config_Then_its_added_tokens_decoder_agrees_with_the_loaded_added_tokens(
        string family
    )
    {
        var tokenizer = RealTokenizers.Get(family);
        var decoder = RealTokenizers.Config(family)["added_tokens_decoder"]?.AsObject() ?? [];

        // transformers rebuilds the added tokens from this table; it must name the ids tokenizer.json gives them.
        foreach (var (key, entry) in decoder)
        {
            int id = int.Parse(key, CultureInfo.InvariantCulture);
            Assert.Equal(id, tokenizer.TokenToId((string)entry!["content"]!));
            Assert.Equal((bool)entry["special"]!, tokenizer.SpecialTokenIds.Contains(id));
        }
    }

    [Theory]
    [InlineData("qwen3", 151643)]
    [InlineData("llama3", null)]
    [InlineData("gpt2", 50256)]
    [InlineData("smollm2-style", 50256)]
    public void Given_a_folder_with_only_tokenizer_json_Then_it_loads_and_encodes_as_with_its_config(
        string family,
        int? eosFallback
    )
    {
        var tokenizer = RealTokenizers.Load(family, withConfig: false);

        // Without tokenizer_config.json there is no bos/eos/pad name: EOS falls back to <|endoftext|> if present.
        AssertAllEqual(family, c => c.Ids, c => tokenizer.Encode(c.Text, allowSpecialTokens: true));
        Assert.Equal(
            (null, false, eosFallback, null),
            (tokenizer.BosTokenId, tokenizer.AddsBosByDefault, tokenizer.EosTokenId, tokenizer.PadTokenId)
        );
    }

    /// <summary>Compares every corpus line; ids are compared in their printed form "[1,2,3]".</summary>
    static void AssertAllEqual(string family, Func<GoldenCase, object> expected, Func<GoldenCase, object> actual)
    {
        var golden = RealTokenizers.Golden(family);
        var problems = new List<string>();
        for (int i = 0; i < golden.Cases.Length; i++)
        {
            var c = golden.Cases[i];
            var (want, got) = (Show(expected(c)), Show(actual(c)));
            if (want != got)
            {
                problems.Add($"case {i} {Show(c.Text)}\n  {golden.Oracle}: {want}\n  Ponder: {got}");
            }
        }
        Assert.True(
            problems.Count == 0,
            $"{family}: {problems.Count} of {golden.Cases.Length} corpus lines differ\n" + string.Join("\n", problems)
        );
    }

    static string Show(object value) =>
        value switch
        {
            IEnumerable<int> ids => "[" + string.Join(",", ids) + "]",
            string text => JsonSerializer.Serialize(text),
            _ => throw new ArgumentException($"cannot show {value.GetType()}", nameof(value)),
        };
}
