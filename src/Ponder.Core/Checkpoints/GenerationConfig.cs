using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Checkpoints;

/// <summary>
/// A Hugging Face <c>generation_config.json</c>: the model author's decoding defaults. Every field is optional
/// (null when the file does not state it, and then omitted on save). Unknown fields are kept in
/// <see cref="Extra"/> so a load-save round trip loses nothing and later features (e.g. reasoning budgets) can
/// read or add their own keys.
/// </summary>
public sealed record GenerationConfig
{
    /// <summary>The file name inside a model directory.</summary>
    public const string FileName = "generation_config.json";

    [JsonPropertyName("bos_token_id")]
    public int? BosTokenId { get; init; }

    /// <summary>An id or a list of ids; see <see cref="EosTokenIds"/>.</summary>
    [JsonPropertyName("eos_token_id")]
    public JsonElement? EosTokenIdRaw { get; init; }

    [JsonPropertyName("pad_token_id")]
    public int? PadTokenId { get; init; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; init; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; init; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; init; }

    [JsonPropertyName("do_sample")]
    public bool? DoSample { get; init; }

    [JsonPropertyName("max_new_tokens")]
    public int? MaxNewTokens { get; init; }

    /// <summary>Fields this record does not name, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>The end-of-sequence ids (empty when not stated).</summary>
    [JsonIgnore]
    public IReadOnlyList<int> EosTokenIds =>
        EosTokenIdRaw switch
        {
            { ValueKind: JsonValueKind.Number } e => [e.GetInt32()],
            { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => x.GetInt32()).ToArray(),
            _ => [],
        };

    /// <summary>A copy with <c>eos_token_id</c> set to one id (written as a number) or several (written as a
    /// list).</summary>
    public GenerationConfig WithEosTokenIds(IReadOnlyList<int> ids) =>
        this with
        {
            EosTokenIdRaw =
                ids.Count == 1 ? JsonSerializer.SerializeToElement(ids[0]) : JsonSerializer.SerializeToElement(ids),
        };

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static GenerationConfig Parse(string json, string source = FileName)
    {
        GenerationConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<GenerationConfig>(json, Json);
        }
        catch (JsonException e)
        {
            throw new PonderException($"{source}: not a valid generation config ({e.Message}).", e);
        }
        if (config is null)
            throw new PonderException($"{source}: empty generation config (expected a JSON object).");
        if (
            config.EosTokenIdRaw is
            { ValueKind: not (JsonValueKind.Number or JsonValueKind.Array or JsonValueKind.Null) }
        )
        {
            throw new PonderException($"{source}: eos_token_id must be an integer or a list of integers.");
        }

        return config;
    }

    /// <summary>Reads <paramref name="path"/>; a missing file is an error (use
    /// <see cref="ModelDirectory.LoadGenerationConfig"/> for the optional case).</summary>
    public static GenerationConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new PonderException($"{path}: file not found.");
        return Parse(File.ReadAllText(path), path);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes the config to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}
