using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Ponder.Text;

/// <summary>
/// A byte-level BPE tokenizer read from a Hugging Face tokenizer.json (Qwen2, Llama 3, SmolLM2, GPT-2) or created
/// byte-only for models trained from scratch. BPE itself runs in Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>;
/// added tokens (<c>&lt;|im_end|&gt;</c>, <c>&lt;/think&gt;</c>, …) are split out here, and only when the caller
/// allows it, so text typed by a user can never become a control token.
/// </summary>
public sealed class TextTokenizer
{
    readonly BpeTokenizer bpe;
    readonly SplitPreTokenizer preTokenizer;
    readonly bool nfc;
    readonly bool ignoreMerges;
    readonly string?[] idToToken;
    readonly bool[] isAdded;
    readonly FrozenDictionary<string, int> vocab;
    readonly FrozenDictionary<string, int> addedByContent;
    readonly Regex? addedTokenRegex;
    readonly string tokenizerJson;
    readonly string? configJson;
    readonly string? templateFile;

    TextTokenizer(string tokenizerJson, string? configJson, string? templateFile = null)
    {
        var spec = TokenizerJson.Parse(tokenizerJson);
        var config = configJson is null ? null : TokenizerConfig.Parse(configJson);
        this.tokenizerJson = tokenizerJson;
        this.configJson = configJson;
        vocab = spec.Vocab.ToFrozenDictionary(StringComparer.Ordinal);
        addedByContent = spec
            .AddedTokens.GroupBy(t => t.Content, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Last().Id, StringComparer.Ordinal);
        AddedTokens = spec.AddedTokens;

        int size =
            1
            + Math.Max(
                spec.Vocab.Count == 0 ? -1 : spec.Vocab.Values.Max(),
                spec.AddedTokens.Count == 0 ? -1 : spec.AddedTokens.Max(t => t.Id)
            );
        idToToken = new string?[size];
        isAdded = new bool[size];
        foreach (var (token, id) in spec.Vocab)
        {
            idToToken[id] = token;
        }
        foreach (var token in spec.AddedTokens)
        {
            idToToken[token.Id] = token.Content;
            isAdded[token.Id] = true;
        }
        SpecialTokenIds = spec.AddedTokens.Where(t => t.Special).Select(t => t.Id).ToFrozenSet();

        addedTokenRegex = AddedTokenRegex(spec.AddedTokens);
        preTokenizer = new SplitPreTokenizer(spec.PreTokenizerSteps);
        nfc = spec.Nfc;
        ignoreMerges = spec.IgnoreMerges;
        bpe = CreateBpe(spec, preTokenizer);

        string? bos = spec.TemplateBosToken ?? config?.BosToken;
        BosTokenId = bos is null ? null : TokenToId(bos);
        AddsBosByDefault = BosTokenId is not null && (spec.TemplateBosToken is not null || config?.AddBosToken == true);
        EosTokenId = config?.EosToken is { } eos
            ? TokenToId(eos)
            : TokenToId("<|endoftext|>") ?? TokenToId("<|im_end|>");
        PadTokenId = config?.PadToken is { } pad ? TokenToId(pad) : null;
        HasChatTemplate = templateFile is not null || (config?.HasChatTemplate ?? false);
        this.templateFile = templateFile;
        ChatTemplateSource = templateFile ?? config?.ChatTemplate;
        BosToken = config?.BosToken;
        EosToken = config?.EosToken;
    }

    /// <summary>Matches any added token, longest first, so "&lt;|im_end|&gt;" wins over a shorter token that is its
    /// prefix; null when there are none.</summary>
    static Regex? AddedTokenRegex(IReadOnlyList<AddedToken> added)
    {
        if (added.Count == 0)
            return null;
        var alternatives = added
            .Select(t => t.Content)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(c => c.Length)
            .Select(Regex.Escape);
        return new Regex(string.Join('|', alternatives), RegexOptions.CultureInvariant);
    }

    static BpeTokenizer CreateBpe(TokenizerSpec spec, SplitPreTokenizer preTokenizer)
    {
        var options = new BpeOptions(spec.Vocab)
        {
            Merges = spec.Merges,
            ByteLevel = true,
            PreTokenizer = preTokenizer,
            Normalizer = spec.Nfc ? new NfcNormalizer() : null,
        };
        try
        {
            return BpeTokenizer.Create(options);
        }
        catch (ArgumentException e)
        {
            throw new PonderException(
                $"tokenizer.json: Microsoft.ML.Tokenizers rejected the vocabulary or merges ({e.Message})",
                e
            );
        }
    }

    /// <summary>
    /// Reads <c>dir/tokenizer.json</c> and, if present, <c>dir/tokenizer_config.json</c> (bos/eos/pad token names).
    /// </summary>
    /// <exception cref="PonderException">A file is missing or malformed, or the tokenizer is not byte-level
    /// BPE.</exception>
    public static TextTokenizer Load(string dir)
    {
        string path = Path.Combine(dir, "tokenizer.json");
        if (!File.Exists(path))
        {
            throw new PonderException($"tokenizer.json: not found in {dir}; point to a model folder that has one");
        }
        string configPath = Path.Combine(dir, "tokenizer_config.json");
        string templatePath = Path.Combine(dir, TemplateFileName);
        return new TextTokenizer(
            File.ReadAllText(path),
            File.Exists(configPath) ? File.ReadAllText(configPath) : null,
            File.Exists(templatePath) ? File.ReadAllText(templatePath) : null
        );
    }

    /// <summary>
    /// A tokenizer for models trained from scratch: the 256 byte tokens (id = byte value, GPT-2 byte characters, no
    /// merges) and the special tokens <c>&lt;|endoftext|&gt;</c>, <c>&lt;|im_start|&gt;</c>, <c>&lt;|im_end|&gt;</c>,
    /// <c>&lt;think&gt;</c>, <c>&lt;/think&gt;</c> with ids 256–260. <see cref="VocabSize"/> is 261.
    /// </summary>
    public static TextTokenizer CreateByteLevel() =>
        new(ByteLevelTokenizerFiles.TokenizerJson(), ByteLevelTokenizerFiles.TokenizerConfigJson());

    /// <summary>
    /// Writes tokenizer.json and tokenizer_config.json into <paramref name="dir"/> (created if needed), each
    /// atomically. A loaded tokenizer writes its original files byte for byte; a loaded one without
    /// tokenizer_config.json writes none. </summary>
    public void Save(string dir)
    {
        Directory.CreateDirectory(dir);
        WriteAtomic(Path.Combine(dir, "tokenizer.json"), tokenizerJson);
        if (configJson is not null)
        {
            WriteAtomic(Path.Combine(dir, "tokenizer_config.json"), configJson);
        }
        if (templateFile is not null)
        {
            WriteAtomic(Path.Combine(dir, TemplateFileName), templateFile);
        }
    }

    /// <summary>The file transformers writes a model's chat template to (it wins over tokenizer_config.json's
    /// <c>chat_template</c>).</summary>
    public const string TemplateFileName = "chat_template.jinja";

    static void WriteAtomic(string path, string text)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Number of ids: the largest id over vocabulary and added tokens, plus one.</summary>
    public int VocabSize => idToToken.Length;

    /// <summary>Ids of added tokens marked special (skipped by <see cref="Decode"/> with skipSpecialTokens).</summary>
    public IReadOnlySet<int> SpecialTokenIds { get; }

    /// <summary>All added tokens (special and not) in file order.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>The beginning-of-sequence token (Llama 3 <c>&lt;|begin_of_text|&gt;</c>), if the tokenizer has
    /// one.</summary>
    public int? BosTokenId { get; }

    /// <summary>True when Hugging Face would put <see cref="BosTokenId"/> before every encoding
    /// (TemplateProcessing).</summary>
    public bool AddsBosByDefault { get; }

    /// <summary>tokenizer_config.json <c>eos_token</c>, else <c>&lt;|endoftext|&gt;</c> or <c>&lt;|im_end|&gt;</c> if
    /// present.</summary>
    public int? EosTokenId { get; }

    /// <summary>tokenizer_config.json <c>pad_token</c>, if any.</summary>
    public int? PadTokenId { get; }

    /// <summary>Whether tokenizer_config.json carries a <c>chat_template</c> (or chat_template.jinja
    /// exists).</summary>
    public bool HasChatTemplate { get; }

    /// <summary>The model's own Jinja chat template: chat_template.jinja, else tokenizer_config.json
    /// <c>chat_template</c> (the "default" entry of the list form); null when it has none.</summary>
    public string? ChatTemplateSource { get; }

    /// <summary>tokenizer_config.json <c>bos_token</c> by name, as chat templates read it.</summary>
    public string? BosToken { get; }

    /// <summary>tokenizer_config.json <c>eos_token</c> by name, as chat templates read it.</summary>
    public string? EosToken { get; }

    /// <summary>The id of an added token (by content) or a vocabulary token (in byte-level form, e.g.
    /// "Ġthe").</summary>
    public int? TokenToId(string token) =>
        addedByContent.TryGetValue(token, out int id) || vocab.TryGetValue(token, out id) ? id : null;

    /// <summary>The token string of an id (byte-level form for vocabulary tokens), or null for an unused id.</summary>
    public string? IdToToken(int id) => id >= 0 && id < idToToken.Length ? idToToken[id] : null;

    /// <summary>
    /// Encodes text. With <paramref name="allowSpecialTokens"/> false (the default) every added token's text — such
    /// as "&lt;|im_end|&gt;" or "&lt;/think&gt;" — is encoded as ordinary bytes, never as the control token: use this
    /// for anything a user or a model wrote. With true, added tokens (special or not) map to their ids.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="allowSpecialTokens">Whether added-token text maps to the added token.</param>
    /// <param name="addBos">Put <see cref="BosTokenId"/> first, when the tokenizer has one.</param>
    public IReadOnlyList<int> Encode(string text, bool allowSpecialTokens = false, bool addBos = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        if (addBos && BosTokenId is int bos)
        {
            ids.Add(bos);
        }
        if (!allowSpecialTokens || addedTokenRegex is null)
        {
            EncodeOrdinary(text, ids);
            return ids;
        }
        int position = 0;
        for (var match = addedTokenRegex.Match(text); match.Success; match = match.NextMatch())
        {
            if (match.Index > position)
            {
                EncodeOrdinary(text[position..match.Index], ids);
            }
            ids.Add(addedByContent[match.Value]);
            position = match.Index + match.Length;
        }
        if (position < text.Length)
        {
            EncodeOrdinary(text[position..], ids);
        }
        return ids;
    }

    /// <summary>
    /// Normalizer, pre-tokenizer and BPE over text that holds no added token. With <c>ignore_merges</c> (Llama 3) a
    /// piece that is itself in the vocabulary becomes that one token, as in Hugging Face: the merges alone do not
    /// reach every vocabulary token (" việc" would become three).
    /// </summary>
    void EncodeOrdinary(string text, List<int> ids)
    {
        if (!ignoreMerges)
        {
            ids.AddRange(bpe.EncodeToIds(text));
            return;
        }
        string normalized = nfc ? text.Normalize(NormalizationForm.FormC) : text;
        foreach (var (offset, length) in preTokenizer.PreTokenize(normalized))
        {
            var piece = normalized.AsSpan(offset, length);
            if (vocab.TryGetValue(ByteLevel.FromText(piece), out int id))
            {
                ids.Add(id);
            }
            else
            {
                ids.AddRange(bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
            }
        }
    }

    /// <summary>
    /// Decodes ids to text. Lossless for byte-level BPE; bytes that are not valid UTF-8 (a character cut in the
    /// middle) become U+FFFD. Ids with no token (padding rows of an embedding table) decode to nothing.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            bytes.AddRange(TokenBytes(id, skipSpecialTokens));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>A decoder for streaming output, fed one id at a time.</summary>
    public IncrementalDecoder CreateIncrementalDecoder(bool skipSpecialTokens = false) => new(this, skipSpecialTokens);

    /// <summary>The UTF-8 bytes one id stands for, special tokens included (empty for an unused id); a token may hold
    /// part of a character.</summary>
    public byte[] BytesOf(int id) => TokenBytes(id, skipSpecialTokens: false).ToArray();

    /// <summary>The UTF-8 bytes one id stands for (empty for unused ids and, if asked, special tokens).</summary>
    internal ReadOnlySpan<byte> TokenBytes(int id, bool skipSpecialTokens)
    {
        if (IdToToken(id) is not { } token || (skipSpecialTokens && SpecialTokenIds.Contains(id)))
        {
            return [];
        }
        // Added tokens are stored as literal text, vocabulary tokens in GPT-2 byte characters.
        return isAdded[id] ? Encoding.UTF8.GetBytes(token) : ByteLevel.TokenToBytes(token);
    }
}
