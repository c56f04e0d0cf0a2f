using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ponder.Text;

namespace Ponder.Tests.Text;

/// <summary>One corpus line with what Hugging Face's tokenizers returned for it (tests/oracles/tokenizers).</summary>
sealed record GoldenCase(
    string Text,
    int[] Ids,
    int[] IdsAddSpecial,
    int[] PlainIds,
    string Decoded,
    string DecodedSkipSpecial,
    string DecodedPlain,
    int Prefix,
    string DecodedPrefix
);

sealed record GoldenFile(string Oracle, string Family, GoldenCase[] Cases);

/// <summary>
/// The real tokenizers kept under Fixtures/tokenizers (tokenizer.json Brotli-compressed, tokenizer_config.json as
/// shipped) and their golden files. Each family is loaded once per test run: the 151k vocabulary takes a moment.
/// </summary>
static class RealTokenizers
{
    /// <summary>qwen3 and llama3 are the real files; gpt2 is GPT-2's own; smollm2-style is GPT-2's vocabulary with
    /// SmolLM2's pre-tokenizer sequence and ChatML added tokens (no package ships SmolLM2's tokenizer.json).</summary>
    public static readonly TheoryData<string> Families = new() { "qwen3", "llama3", "gpt2", "smollm2-style" };

    static readonly ConcurrentDictionary<string, Lazy<TextTokenizer>> Loaded = new();
    static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    static string Folder(string family) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", family);

    public static TextTokenizer Get(string family) =>
        Loaded.GetOrAdd(family, f => new Lazy<TextTokenizer>(() => Load(f, withConfig: true))).Value;

    public static GoldenFile Golden(string family) =>
        JsonSerializer.Deserialize<GoldenFile>(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", family + ".golden.json")),
            Web
        )!;

    /// <summary>The family's tokenizer_config.json, parsed.</summary>
    public static JsonObject Config(string family) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder(family), "tokenizer_config.json")))!.AsObject();

    /// <summary>Writes the family's files into a temp folder (tokenizer.json decompressed, tokenizer_config.json
    /// only if asked) and loads that folder the way a user's model folder is loaded.</summary>
    public static TextTokenizer Load(string family, bool withConfig)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokenizer.json"), TokenizerJson(family));
        if (withConfig)
        {
            File.Copy(Path.Combine(Folder(family), "tokenizer_config.json"), dir.File("tokenizer_config.json"));
        }
        return TextTokenizer.Load(dir.Path);
    }

    static string TokenizerJson(string family)
    {
        if (family != "smollm2-style")
        {
            return Decompress(Path.Combine(Folder(family), "tokenizer.json.br"));
        }
        // The same patch generate.mjs applies: replace pre_tokenizer, append to added_tokens.
        var spec = JsonNode.Parse(TokenizerJson("gpt2"))!.AsObject();
        var patch = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder(family), "patch.json")))!.AsObject();
        spec["pre_tokenizer"] = patch["pre_tokenizer"]!.DeepClone();
        var added = spec["added_tokens"]!.AsArray();
        foreach (var token in patch["added_tokens"]!.AsArray())
        {
            added.Add(token!.DeepClone());
        }
        return spec.ToJsonString();
    }

    static string Decompress(string path)
    {
        using var file = File.OpenRead(path);
        using var brotli = new BrotliStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(brotli);
        return reader.ReadToEnd();
    }
}
