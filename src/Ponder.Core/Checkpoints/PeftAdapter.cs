using System.Text.Json;
using System.Text.Json.Serialization;
using Ponder.Model;
using static TorchSharp.torch;

namespace Ponder.Checkpoints;

/// <summary>
/// PEFT's <c>adapter_config.json</c> for LoRA: the fields of <c>peft.LoraConfig</c> that describe the adapter. What
/// Ponder cannot compute (bias training, DoRA, fan-in-fan-out weights, per-layer ranks, a subset of layers) is refused
/// on load with the field to change; unknown fields are kept so a round trip loses nothing.
/// </summary>
public sealed record PeftAdapterConfig
{
    [JsonPropertyName("peft_type")]
    public string PeftType { get; init; } = "LORA";

    [JsonPropertyName("task_type")]
    public string? TaskType { get; init; } = "CAUSAL_LM";

    /// <summary>The base model: a hub id or, for Ponder's adapters, the base model's folder.</summary>
    [JsonPropertyName("base_model_name_or_path")]
    public string? BaseModelNameOrPath { get; init; }

    [JsonPropertyName("revision")]
    public string? Revision { get; init; }

    [JsonPropertyName("inference_mode")]
    public bool InferenceMode { get; init; } = true;

    [JsonPropertyName("r")]
    public int R { get; init; } = 8;

    [JsonPropertyName("lora_alpha")]
    public double LoraAlpha { get; init; } = 8;

    [JsonPropertyName("lora_dropout")]
    public double LoraDropout { get; init; }

    /// <summary>A list of module names, or a string (a regex, or "all-linear").</summary>
    [JsonPropertyName("target_modules")]
    public JsonElement? TargetModules { get; init; }

    [JsonPropertyName("bias")]
    public string Bias { get; init; } = "none";

    [JsonPropertyName("fan_in_fan_out")]
    public bool FanInFanOut { get; init; }

    [JsonPropertyName("use_rslora")]
    public bool UseRsLora { get; init; }

    [JsonPropertyName("use_dora")]
    public bool UseDora { get; init; }

    [JsonPropertyName("init_lora_weights")]
    public JsonElement? InitLoraWeights { get; init; } = JsonSerializer.SerializeToElement(true);

    [JsonPropertyName("modules_to_save")]
    public IReadOnlyList<string>? ModulesToSave { get; init; }

    [JsonPropertyName("layers_to_transform")]
    public JsonElement? LayersToTransform { get; init; }

    [JsonPropertyName("layers_pattern")]
    public JsonElement? LayersPattern { get; init; }

    [JsonPropertyName("rank_pattern")]
    public Dictionary<string, JsonElement> RankPattern { get; init; } = [];

    [JsonPropertyName("alpha_pattern")]
    public Dictionary<string, JsonElement> AlphaPattern { get; init; } = [];

    [JsonPropertyName("lora_bias")]
    public bool LoraBias { get; init; }

    /// <summary>Fields this record does not name, kept verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>The config PEFT would write for <paramref name="options"/> over <paramref name="baseModel"/>.</summary>
    public static PeftAdapterConfig From(LoraOptions options, string? baseModel)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PeftAdapterConfig
        {
            BaseModelNameOrPath = baseModel,
            R = options.Rank,
            LoraAlpha = options.Alpha,
            LoraDropout = options.Dropout,
            TargetModules = JsonSerializer.SerializeToElement(options.Targets),
            UseRsLora = options.UseRsLora,
        };
    }

    /// <summary>The adapter's shape as Ponder computes it; refuses what it cannot compute, naming the field.</summary>
    public LoraOptions ToOptions(string path)
    {
        void Refuse(string field, string why) =>
            throw new PonderException($"{path}: {field} {why}; Ponder's LoRA cannot compute this adapter.");
        if (PeftType != "LORA")
            Refuse("peft_type", $"is \"{PeftType}\", not \"LORA\"");
        if (Bias != "none")
            Refuse("bias", $"is \"{Bias}\" (trained biases); only \"none\" is supported");
        if (UseDora)
            Refuse("use_dora", "is true (DoRA)");
        if (FanInFanOut)
            Refuse("fan_in_fan_out", "is true (Conv1D-style weights)");
        if (LoraBias)
            Refuse("lora_bias", "is true");
        if (RankPattern.Count > 0 || AlphaPattern.Count > 0)
            Refuse("rank_pattern/alpha_pattern", "set per-module ranks");
        if (LayersToTransform is { ValueKind: not JsonValueKind.Null })
            Refuse("layers_to_transform", "adapts a subset of layers");
        if (ModulesToSave is { Count: > 0 })
            Refuse("modules_to_save", $"lists {string.Join(",", ModulesToSave)} (fully trained modules)");
        IReadOnlyList<string> targets = TargetModules switch
        {
            { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => e.GetString() ?? "").ToArray(),
            { ValueKind: JsonValueKind.String } s when s.GetString() == "all-linear" => LoraOptions.AllLinear,
            _ => throw new PonderException(
                $"{path}: target_modules must be a list of projection names (e.g. [\"q_proj\", \"v_proj\"]) or "
                    + "\"all-linear\"."
            ),
        };
        try
        {
            return new LoraOptions
            {
                Rank = R,
                Alpha = LoraAlpha,
                Dropout = LoraDropout,
                Targets = targets,
                UseRsLora = UseRsLora,
            }.Validate();
        }
        catch (PonderException e)
        {
            throw new PonderException($"{path}: {e.Message}", e);
        }
    }
}

/// <summary>An adapter directory as PEFT's <c>save_pretrained</c> writes it: <c>adapter_config.json</c> and
/// <c>adapter_model.safetensors</c> with keys such as
/// <c>base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</c>.</summary>
public static class PeftAdapter
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Whether <paramref name="dir"/> holds an adapter rather than a whole model.</summary>
    public static bool IsAdapter(string dir) =>
        File.Exists(Path.Combine(dir, ConfigFile)) && !File.Exists(Path.Combine(dir, ModelDirectory.ConfigFile));

    public static PeftAdapterConfig ReadConfig(string dir)
    {
        string path = Path.Combine(dir, ConfigFile);
        try
        {
            return JsonSerializer.Deserialize<PeftAdapterConfig>(File.ReadAllBytes(path))
                ?? throw new PonderException($"{path}: empty adapter config.");
        }
        catch (JsonException e)
        {
            throw new PonderException($"{path}: not a valid adapter config ({e.Message}).", e);
        }
    }

    /// <summary>The base model folder of the adapter in <paramref name="dir"/>: <paramref name="baseOverride"/> when
    /// given, else <c>base_model_name_or_path</c> (relative paths from the adapter's folder).</summary>
    public static string BaseOf(string dir, string? baseOverride)
    {
        if (baseOverride is not null)
            return baseOverride;
        var config = ReadConfig(dir);
        string path = Path.Combine(dir, ConfigFile);
        if (string.IsNullOrEmpty(config.BaseModelNameOrPath))
        {
            throw new PonderException(
                $"{path}: base_model_name_or_path is empty; give the base model with --base DIR."
            );
        }

        string resolved = Path.GetFullPath(config.BaseModelNameOrPath, Path.GetFullPath(dir));
        if (!File.Exists(Path.Combine(resolved, ModelDirectory.ConfigFile)))
        {
            throw new PonderException(
                $"{path}: base_model_name_or_path \"{config.BaseModelNameOrPath}\" is not a model folder here (no "
                    + $"{ModelDirectory.ConfigFile} in {resolved}); give the base model with --base DIR."
            );
        }

        return resolved;
    }

    /// <summary>Writes the adapter (atomically, file by file); weights in the adapter's dtype.</summary>
    public static void Save(string dir, LoraAdapter adapter, string? baseModel)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        Directory.CreateDirectory(dir);
        using (var scope = NewDisposeScope())
        {
            var tensors = adapter.Parameters.ToDictionary(p => p.Name, p => (Tensor)p.Param.detach());
            SafeTensors.Write(
                Path.Combine(dir, WeightsFile),
                tensors,
                new Dictionary<string, string> { ["format"] = "pt" }
            );
        }
        var config = PeftAdapterConfig.From(adapter.Options, baseModel);
        AtomicFile.WriteAllText(Path.Combine(dir, ConfigFile), JsonSerializer.Serialize(config, Json) + "\n");
    }

    /// <summary>The adapter weights of <paramref name="dir"/> (the caller owns them).</summary>
    public static Dictionary<string, Tensor> ReadWeights(string dir, ScalarType dtype, Device device)
    {
        string path = Path.Combine(dir, WeightsFile);
        if (!File.Exists(path))
        {
            throw new PonderException(
                $"{path}: not found; Ponder reads adapters saved as safetensors (PEFT's default since 0.6)."
            );
        }

        return SafeTensors.Read(path, dtype, device);
    }
}
