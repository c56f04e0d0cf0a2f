using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Model;

/// <summary>Llama-3 <c>rope_scaling</c> ({"rope_type": "llama3", "factor": 32, …}).</summary>
public sealed record RopeScaling
{
    [JsonPropertyName("rope_type")]
    public string? RopeType { get; init; }

    /// <summary>Older files spell <c>rope_type</c> as <c>type</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("factor")]
    public double Factor { get; init; } = 1.0;

    [JsonPropertyName("low_freq_factor")]
    public double LowFreqFactor { get; init; } = 1.0;

    [JsonPropertyName("high_freq_factor")]
    public double HighFreqFactor { get; init; } = 4.0;

    [JsonPropertyName("original_max_position_embeddings")]
    public int OriginalMaxPositionEmbeddings { get; init; } = 8192;

    [JsonIgnore]
    public string Kind => RopeType ?? Type ?? "default";
}

/// <summary>
/// A Hugging Face <c>config.json</c> of the Llama / Qwen2 / Qwen3 families, field for field. Unknown fields are kept in
/// <see cref="Extra"/> so a load-save round trip loses nothing.
/// </summary>
public sealed record ModelConfig
{
    [JsonPropertyName("architectures")]
    public IReadOnlyList<string>? Architectures { get; init; }

    [JsonPropertyName("model_type")]
    public string ModelType { get; init; } = "";

    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; }

    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; }

    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; }

    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; }

    [JsonPropertyName("num_key_value_heads")]
    public int? NumKeyValueHeads { get; init; }

    /// <summary>Llama-3.2 and Qwen3 state it (Qwen3's is not hidden_size / num_attention_heads); otherwise
    /// hidden_size / num_attention_heads.</summary>
    [JsonPropertyName("head_dim")]
    public int? HeadDimOverride { get; init; }

    [JsonPropertyName("rms_norm_eps")]
    public double RmsNormEps { get; init; } = 1e-6;

    [JsonPropertyName("rope_theta")]
    public double RopeTheta { get; init; } = 10000.0;

    [JsonPropertyName("rope_scaling")]
    public RopeScaling? RopeScaling { get; init; }

    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; }

    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; }

    [JsonPropertyName("tie_word_embeddings")]
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Llama's switch for q/k/v/o bias. Qwen2 has q/k/v bias always and does not state it.</summary>
    [JsonPropertyName("attention_bias")]
    public bool? AttentionBias { get; init; }

    [JsonPropertyName("mlp_bias")]
    public bool MlpBias { get; init; }

    [JsonPropertyName("hidden_act")]
    public string HiddenAct { get; init; } = "silu";

    /// <summary>Qwen2/Qwen3 attend within a window on some layers when true; Ponder attends fully, so it refuses
    /// true.</summary>
    [JsonPropertyName("use_sliding_window")]
    public bool? UseSlidingWindow { get; init; }

    [JsonPropertyName("torch_dtype")]
    public string? TorchDtype { get; init; }

    [JsonPropertyName("bos_token_id")]
    public int? BosTokenId { get; init; }

    /// <summary>An id or a list of ids (Llama-3.2-Instruct).</summary>
    [JsonPropertyName("eos_token_id")]
    public JsonElement? EosTokenIdRaw { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    [JsonIgnore]
    public int KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;

    [JsonIgnore]
    public int HeadDim => HeadDimOverride ?? HiddenSize / NumAttentionHeads;

    /// <summary>The family's row (<see cref="ModelFamily"/>); the config must be valid.</summary>
    [JsonIgnore]
    public ModelFamily Family =>
        ModelFamily.Find(ModelType) ?? throw new PonderException($"model_type \"{ModelType}\" is not supported.");

    /// <summary>q/k/v projections carry a bias (always for Qwen2; attention_bias for Llama and Qwen3).</summary>
    [JsonIgnore]
    public bool QkvBias => Family.QkvBiasAlways || (AttentionBias ?? false);

    /// <summary>o_proj carries a bias (attention_bias for Llama and Qwen3; never Qwen2).</summary>
    [JsonIgnore]
    public bool OutputBias => !Family.QkvBiasAlways && (AttentionBias ?? false);

    [JsonIgnore]
    public IReadOnlyList<int> EosTokenIds =>
        EosTokenIdRaw switch
        {
            { ValueKind: JsonValueKind.Number } e => [e.GetInt32()],
            { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => x.GetInt32()).ToArray(),
            _ => [],
        };

    /// <summary>The <c>torch_dtype</c> values Hugging Face writes for the weight types Ponder reads.</summary>
    public static readonly string[] TorchDtypes = ["float32", "bfloat16", "float16", "float64"];

    /// <summary>Checks the fields a decoder needs; the message names the file and the field to fix.</summary>
    public ModelConfig Validate(string source = "config.json")
    {
        if (string.IsNullOrEmpty(ModelType))
        {
            throw new PonderException(
                $"{source}: field \"model_type\" is missing; Ponder loads {ModelFamily.Described}."
            );
        }

        if (ModelFamily.Find(ModelType) is null)
        {
            throw new PonderException(
                $"{source}: model_type \"{ModelType}\" is not supported (architectures: "
                    + $"{string.Join(", ", Architectures ?? [])}); Ponder loads {ModelFamily.Described}."
            );
        }

        if (UseSlidingWindow == true)
        {
            throw new PonderException(
                $"{source}: use_sliding_window is true; Ponder attends over the whole context. Set it to false."
            );
        }

        Require(HiddenSize > 0, "hidden_size", source);
        Require(IntermediateSize > 0, "intermediate_size", source);
        Require(NumHiddenLayers > 0, "num_hidden_layers", source);
        Require(NumAttentionHeads > 0, "num_attention_heads", source);
        Require(VocabSize > 0, "vocab_size", source);
        Require(MaxPositionEmbeddings > 0, "max_position_embeddings", source);
        if (KeyValueHeads <= 0 || NumAttentionHeads % KeyValueHeads != 0)
        {
            throw new PonderException(
                $"{source}: num_key_value_heads ({KeyValueHeads}) must be positive and divide "
                    + $"num_attention_heads ({NumAttentionHeads})."
            );
        }

        if (HeadDimOverride is null && HiddenSize % NumAttentionHeads != 0)
        {
            throw new PonderException(
                $"{source}: hidden_size ({HiddenSize}) must be divisible by num_attention_heads ({NumAttentionHeads})."
            );
        }

        if (HeadDim % 2 != 0)
            throw new PonderException($"{source}: head dimension {HeadDim} must be even for rotary embeddings.");
        if (HiddenAct != "silu")
        {
            throw new PonderException(
                $"{source}: hidden_act \"{HiddenAct}\" is not supported; Llama and Qwen use \"silu\"."
            );
        }

        ValidateNames(source);
        return this;
    }

    /// <summary>Checks the fields that name a choice: the weight type and the rotary scaling.</summary>
    void ValidateNames(string source)
    {
        if (TorchDtype is not null && !TorchDtypes.Contains(TorchDtype))
        {
            throw new PonderException(
                $"{source}: torch_dtype \"{TorchDtype}\" is not a weight type; use one of "
                    + $"{string.Join(", ", TorchDtypes)} (or leave the field out)."
            );
        }

        if (RopeScaling is { } rs && rs.Kind is not ("default" or "llama3"))
        {
            throw new PonderException(
                $"{source}: rope_scaling type \"{rs.Kind}\" is not supported; Ponder supports \"llama3\" (or "
                    + "no rope_scaling)."
            );
        }
    }

    static void Require(bool ok, string field, string source)
    {
        if (!ok)
            throw new PonderException($"{source}: field \"{field}\" is missing or not a positive integer.");
    }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static ModelConfig Parse(string json, string source = "config.json")
    {
        ModelConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ModelConfig>(json, Json);
        }
        catch (JsonException e)
        {
            throw new PonderException($"{source}: not valid config JSON ({e.Message}).", e);
        }
        return (config ?? throw new PonderException($"{source}: empty config.")).Validate(source);
    }

    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new PonderException($"{path}: file not found (a model directory needs config.json).");
        return Parse(File.ReadAllText(path), path);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parameter count (embeddings counted once when tied).</summary>
    [JsonIgnore]
    public long ParameterCount
    {
        get
        {
            long d = HiddenSize,
                f = IntermediateSize,
                v = VocabSize,
                hq = NumAttentionHeads * (long)HeadDim,
                hkv = KeyValueHeads * (long)HeadDim;
            long attn = d * hq + 2 * d * hkv + hq * d + (QkvBias ? hq + 2 * hkv : 0) + (OutputBias ? d : 0);
            long mlp = 3 * d * f + (MlpBias ? 2 * f + d : 0);
            long layer = attn + mlp + 2 * d + (Family.QkNorm ? 2L * HeadDim : 0);
            return v * d + NumHiddenLayers * layer + d + (TieWordEmbeddings ? 0 : v * d);
        }
    }
}
