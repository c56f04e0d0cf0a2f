using System.Text.Json;
using Ponder.Model;
using Ponder.Text;

namespace Ponder.Checkpoints.Gguf;

/// <summary>
/// The tokenizer as llama.cpp reads it (<c>tokenizer.ggml.*</c>): byte-level BPE ("gpt2"), tokens dense by id and
/// padded to the embedding rows, their types, the merges, the pre-tokenizer's llama.cpp name, the special ids and the
/// chat template.
/// </summary>
public sealed record GgufVocabulary(
    string PreTokenizer,
    IReadOnlyList<string> Tokens,
    IReadOnlyList<int> TokenTypes,
    IReadOnlyList<string> Merges,
    int? BosTokenId,
    int? EosTokenId,
    int? PadTokenId,
    bool AddBosToken,
    string? ChatTemplate
)
{
    /// <summary>llama.cpp token types.</summary>
    public const int Normal = 1,
        Control = 3,
        UserDefined = 4,
        Unused = 5;

    const string Qwen2Split =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    const string Llama3Split =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>tokenizer.json pre-tokenizer steps → the llama.cpp pre-tokenizer that splits text the same way. GPT-2's
    /// regex alone is "gpt2" (not llama.cpp's "default", which splits punctuation runs first).</summary>
    static readonly Dictionary<string, string> PreTokenizers = new()
    {
        [$"split:{Qwen2Split} bytelevel"] = "qwen2",
        [$"split:{Llama3Split} bytelevel"] = "llama-bpe",
        ["digits:individual bytelevel:regex"] = "smollm",
        ["bytelevel:regex"] = "gpt-2",
    };

    /// <summary>Reads <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and <c>chat_template.jinja</c> of
    /// <paramref name="dir"/>; <paramref name="config"/> gives the embedding rows and fallback special ids.</summary>
    public static GgufVocabulary FromDirectory(string dir, ModelConfig config)
    {
        string tokenizerPath = Path.Combine(dir, ModelDirectory.TokenizerFile);
        if (!File.Exists(tokenizerPath))
            throw new PonderException($"{tokenizerPath}: not found; GGUF export needs the model's tokenizer.");
        string configPath = Path.Combine(dir, ModelDirectory.TokenizerConfigFile);
        string templatePath = Path.Combine(dir, "chat_template.jinja");
        return FromJson(
            File.ReadAllText(tokenizerPath),
            File.Exists(configPath) ? File.ReadAllText(configPath) : null,
            File.Exists(templatePath) ? File.ReadAllText(templatePath) : null,
            config
        );
    }

    /// <param name="tokenizerJson">tokenizer.json.</param>
    /// <param name="tokenizerConfigJson">tokenizer_config.json, if any.</param>
    /// <param name="chatTemplate">chat_template.jinja, which wins over tokenizer_config.json's chat_template.</param>
    /// <param name="config">The model's config.json.</param>
    public static GgufVocabulary FromJson(
        string tokenizerJson,
        string? tokenizerConfigJson,
        string? chatTemplate,
        ModelConfig config
    )
    {
        ArgumentNullException.ThrowIfNull(config);
        var spec = TokenizerJson.Parse(tokenizerJson);
        var (tokens, types) = DenseTokens(spec, config.VocabSize);
        using var tokenizerConfig = tokenizerConfigJson is null ? null : ParseConfig(tokenizerConfigJson);
        var root = tokenizerConfig?.RootElement;
        int? Id(string field) => TokenName(root, field) is { } name ? Lookup(spec, name) : null;
        int? bos = Id("bos_token") ?? (spec.TemplateBosToken is { } t ? Lookup(spec, t) : config.BosTokenId);
        int? eos = Id("eos_token") ?? config.EosTokenIds.Cast<int?>().FirstOrDefault();
        bool addBos =
            spec.TemplateBosToken is not null
            || (root?.TryGetProperty("add_bos_token", out var a) == true && a.ValueKind == JsonValueKind.True);
        return new GgufVocabulary(
            PreTokenizerName(tokenizerJson),
            tokens,
            types,
            spec.Merges,
            bos,
            eos,
            Id("pad_token"),
            addBos,
            chatTemplate ?? ChatTemplateOf(root)
        );
    }

    static JsonDocument ParseConfig(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new PonderException($"{ModelDirectory.TokenizerConfigFile}: not valid JSON ({e.Message}).", e);
        }
    }

    static (string[] Tokens, int[] Types) DenseTokens(TokenizerSpec spec, int rows)
    {
        var tokens = new string?[rows];
        var types = new int[rows];
        foreach (var (token, id) in spec.Vocab)
            Place(id, token, Normal);
        foreach (var added in spec.AddedTokens)
            Place(added.Id, added.Content, added.Special || LooksSpecial(added.Content) ? Control : UserDefined);
        for (int i = 0; i < rows; i++)
        {
            if (tokens[i] is null)
                (tokens[i], types[i]) = ($"[PAD{i}]", Unused);
        }
        return (tokens.Select(t => t!).ToArray(), types);

        void Place(int id, string token, int type)
        {
            if (id >= rows)
            {
                throw new PonderException(
                    $"tokenizer.json: token \"{token}\" has id {id}, but config.json vocab_size is {rows}; "
                        + "llama.cpp needs one embedding row per token."
                );
            }

            (tokens[id], types[id]) = (token, type);
        }
    }

    /// <summary>Added tokens such as <c>&lt;|im_start|&gt;</c> control the format even when not marked special (as
    /// llama.cpp's converter treats them).</summary>
    static bool LooksSpecial(string token) =>
        (token.StartsWith("<|", StringComparison.Ordinal) && token.EndsWith("|>", StringComparison.Ordinal))
        || (token.StartsWith("<｜", StringComparison.Ordinal) && token.EndsWith("｜>", StringComparison.Ordinal));

    static int Lookup(TokenizerSpec spec, string token) =>
        spec.AddedTokens.LastOrDefault(t => t.Content == token)?.Id
        ?? (spec.Vocab.TryGetValue(token, out int id) ? id : throw Missing(token));

    static PonderException Missing(string token) =>
        new($"tokenizer_config.json: special token \"{token}\" is not in tokenizer.json.");

    static string? TokenName(JsonElement? root, string field) =>
        root is { } r && r.TryGetProperty(field, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString(),
                _ => null,
            }
            : null;

    /// <summary>tokenizer_config.json's <c>chat_template</c>: a string, or a list of named templates (the one named
    /// "default").</summary>
    static string? ChatTemplateOf(JsonElement? root)
    {
        if (root is not { } r || !r.TryGetProperty("chat_template", out var t))
            return null;
        if (t.ValueKind == JsonValueKind.String)
            return t.GetString();
        if (t.ValueKind != JsonValueKind.Array)
            return null;
        return t.EnumerateArray()
            .Where(e => e.TryGetProperty("name", out var n) && n.GetString() == "default")
            .Select(e => e.GetProperty("template").GetString())
            .FirstOrDefault();
    }

    /// <summary>The llama.cpp name of tokenizer.json's pre-tokenizer; other pre-tokenizers are refused, since
    /// llama.cpp would split text differently.</summary>
    public static string PreTokenizerName(string tokenizerJson)
    {
        using var doc = JsonDocument.Parse(tokenizerJson);
        var steps = new List<string>();
        if (doc.RootElement.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object)
            Describe(pre, steps);
        string signature = string.Join(' ', steps);
        return PreTokenizers.TryGetValue(signature, out string? name)
            ? name
            : throw new PonderException(
                $"tokenizer.json: pre_tokenizer [{signature}] matches none of llama.cpp's that Ponder maps "
                    + "(Qwen2, Llama 3, SmolLM and GPT-2 byte-level); the GGUF would tokenize differently."
            );
    }

    static void Describe(JsonElement node, List<string> steps)
    {
        string type = node.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        switch (type)
        {
            case "Sequence":
                foreach (var child in node.GetProperty("pretokenizers").EnumerateArray())
                    Describe(child, steps);
                break;
            case "Split":
                var p = node.GetProperty("pattern");
                steps.Add("split:" + (p.TryGetProperty("Regex", out var r) ? r.GetString() : p.ToString()));
                break;
            case "ByteLevel":
                bool regex = !node.TryGetProperty("use_regex", out var u) || u.ValueKind != JsonValueKind.False;
                steps.Add(regex ? "bytelevel:regex" : "bytelevel");
                break;
            case "Digits":
                bool individual =
                    node.TryGetProperty("individual_digits", out var d) && d.ValueKind == JsonValueKind.True;
                steps.Add(individual ? "digits:individual" : "digits");
                break;
            default:
                steps.Add(type.ToLowerInvariant());
                break;
        }
    }
}
