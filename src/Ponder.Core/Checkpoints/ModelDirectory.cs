using System.Text.Json;
using Ponder.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Checkpoints;

/// <summary>
/// The Hugging Face model directory layout: <c>config.json</c>, weights as <c>model.safetensors</c> or as shards
/// listed in <c>model.safetensors.index.json</c> (<c>{"metadata": {...}, "weight_map": {tensor: shard}}</c>),
/// <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and the optional <c>generation_config.json</c>.
/// </summary>
public static class ModelDirectory
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";
    public const string TokenizerFile = "tokenizer.json";
    public const string TokenizerConfigFile = "tokenizer_config.json";

    /// <summary>The tensor a checkpoint may carry even when <c>tie_word_embeddings</c> is true (HF sometimes saves
    /// it).</summary>
    public const string LmHeadWeight = "lm_head.weight";

    static readonly IReadOnlyDictionary<string, string> FormatMetadata = new Dictionary<string, string>
    {
        ["format"] = "pt",
    }.AsReadOnly();

    /// <summary>HF shard file name, e.g. <c>model-00001-of-00002.safetensors</c> for <paramref name="index"/> 1 of
    /// 2.</summary>
    public static string ShardName(int index, int count) => $"model-{index:D5}-of-{count:D5}.safetensors";

    /// <summary>Reads and validates <c>config.json</c>.</summary>
    public static ModelConfig LoadConfig(string dir) => ModelConfig.Load(RequireConfig(dir));

    /// <summary>Reads <c>generation_config.json</c>, or returns null when the directory has none (it is
    /// optional).</summary>
    public static GenerationConfig? LoadGenerationConfig(string dir)
    {
        string path = Path.Combine(RequireDirectory(dir), GenerationConfig.FileName);
        return File.Exists(path) ? GenerationConfig.Load(path) : null;
    }

    /// <summary>
    /// Loads the weights of a model directory, single-file or sharded (<c>model.safetensors</c> wins when both exist,
    /// as in transformers). The caller owns the tensors.
    /// </summary>
    /// <param name="dtype">Target type for floating-point tensors. <value>The default value is null: as
    /// stored.</value></param>
    /// <param name="device">Target device. <value>The default value is null: the CPU.</value></param>
    public static Dictionary<string, Tensor> LoadWeights(string dir, ScalarType? dtype = null, Device? device = null)
    {
        RequireConfig(dir);
        string single = Path.Combine(dir, WeightsFile);
        if (File.Exists(single))
            return SafeTensors.Read(single, dtype, device);
        string index = Path.Combine(dir, IndexFile);
        if (File.Exists(index))
            return LoadSharded(dir, index, dtype, device);
        string hint =
            File.Exists(Path.Combine(dir, "pytorch_model.bin"))
            || File.Exists(Path.Combine(dir, "pytorch_model.bin.index.json"))
                ? " It has PyTorch .bin weights, which Ponder does not read; convert them to safetensors."
                : "";
        throw new PonderException($"{dir}: no weights found; expected {WeightsFile} or {IndexFile}.{hint}");
    }

    static Dictionary<string, Tensor> LoadSharded(string dir, string indexPath, ScalarType? dtype, Device? device)
    {
        var weightMap = ReadWeightMap(indexPath);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (
                var shard in weightMap.GroupBy(p => p.Value, p => p.Key).OrderBy(g => g.Key, StringComparer.Ordinal)
            )
            {
                string shardPath = Path.Combine(dir, shard.Key);
                if (!File.Exists(shardPath))
                {
                    throw new PonderException(
                        $"{indexPath}: shard \"{shard.Key}\" (holding {shard.Count()} tensors, e.g. "
                            + $"{shard.First()}) is missing from {dir}."
                    );
                }

                var wanted = shard.ToHashSet(StringComparer.Ordinal);
                foreach (var (name, tensor) in SafeTensors.Read(shardPath, dtype, device, wanted.Contains))
                    result.Add(name, tensor);
                string? absent = wanted.FirstOrDefault(n => !result.ContainsKey(n));
                if (absent is not null)
                {
                    throw new PonderException(
                        $"{shardPath}: tensor \"{absent}\" is listed in {IndexFile} but not stored in this shard."
                    );
                }
            }
        }
        catch
        {
            foreach (var t in result.Values)
                t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>The <c>weight_map</c> of an index file: tensor name → shard file name (a bare file name in the same
    /// folder).</summary>
    public static IReadOnlyDictionary<string, string> ReadWeightMap(string indexPath)
    {
        if (!File.Exists(indexPath))
            throw new PonderException($"{indexPath}: file not found.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new PonderException($"{indexPath}: not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (
                doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("weight_map", out var map)
                || map.ValueKind != JsonValueKind.Object
            )
            {
                throw new PonderException($"{indexPath}: missing \"weight_map\" object (tensor name → shard file).");
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in map.EnumerateObject())
            {
                string? shard = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
                if (string.IsNullOrEmpty(shard) || Path.GetFileName(shard) != shard)
                {
                    throw new PonderException(
                        $"{indexPath}: weight_map entry \"{p.Name}\" must name a shard file in the same "
                            + $"folder, found {p.Value.GetRawText()}."
                    );
                }

                result[p.Name] = shard;
            }
            return result;
        }
    }

    /// <summary>
    /// Saves weights as <c>model.safetensors</c>, or, when their total size exceeds <paramref name="maxShardBytes"/>,
    /// as HF-named shards plus <c>model.safetensors.index.json</c>. Every file is written atomically with metadata
    /// {"format": "pt"}; weight files of the other layout (or stale shards) left from an earlier save are deleted.
    /// </summary>
    /// <param name="maxShardBytes">Largest shard size in bytes (a single tensor larger than this gets a shard of its
    /// own). <value>The default value is <see cref="long.MaxValue"/>: one file.</value></param>
    public static void SaveWeights(
        string dir,
        IReadOnlyDictionary<string, Tensor> tensors,
        long maxShardBytes = long.MaxValue
    )
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (maxShardBytes <= 0)
            throw new PonderException($"maxShardBytes must be positive, got {maxShardBytes}.");
        Directory.CreateDirectory(dir);
        string indexPath = Path.Combine(dir, IndexFile),
            singlePath = Path.Combine(dir, WeightsFile);
        var oldShards = File.Exists(indexPath) ? ReadWeightMap(indexPath).Values.ToHashSet() : [];
        var shards = Partition(tensors, maxShardBytes);
        if (shards.Count <= 1)
        {
            SafeTensors.Write(singlePath, tensors, FormatMetadata);
            DeleteIfExists(indexPath);
            foreach (string old in oldShards)
                DeleteIfExists(Path.Combine(dir, old));
            return;
        }
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string name = ShardName(i + 1, shards.Count);
            SafeTensors.Write(Path.Combine(dir, name), shards[i].ToDictionary(n => n, n => tensors[n]), FormatMetadata);
            foreach (string n in shards[i])
                weightMap[n] = name;
        }
        long totalSize = tensors.Values.Sum(t => t.numel() * t.ElementSize);
        AtomicFile.WriteAllText(indexPath, IndexJson(totalSize, weightMap));
        DeleteIfExists(singlePath);
        foreach (string old in oldShards.Except(weightMap.Values))
            DeleteIfExists(Path.Combine(dir, old));
    }

    /// <summary>Greedy split in name order: a new shard starts when the next tensor would push the current one past the
    /// limit.</summary>
    static List<List<string>> Partition(IReadOnlyDictionary<string, Tensor> tensors, long maxShardBytes)
    {
        var shards = new List<List<string>>();
        List<string>? current = null;
        long size = 0;
        foreach (string name in tensors.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            long bytes = tensors[name].numel() * tensors[name].ElementSize;
            if (current is null || (current.Count > 0 && size + bytes > maxShardBytes))
            {
                current = [];
                shards.Add(current);
                size = 0;
            }
            current.Add(name);
            size += bytes;
        }
        return shards;
    }

    static string IndexJson(long totalSize, SortedDictionary<string, string> weightMap)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", totalSize);
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (k, v) in weightMap)
                json.WriteString(k, v);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// Compares a model's expected tensor names with a checkpoint's and throws a <see cref="PonderException"/> listing
    /// up to five missing and five unexpected names. Tied embeddings: the caller leaves <c>lm_head.weight</c> out of
    /// <paramref name="expected"/>; with <paramref name="tieWordEmbeddings"/> true a checkpoint that still contains
    /// <c>lm_head.weight</c> is accepted (the caller then ignores that tensor).
    /// </summary>
    /// <param name="source">Names the checkpoint in the message, e.g. the file or directory.</param>
    /// <param name="tieWordEmbeddings"><value>The default value is false.</value></param>
    public static void CheckKeys(
        IEnumerable<string> expected,
        IEnumerable<string> actual,
        string source,
        bool tieWordEmbeddings = false
    )
    {
        var want = expected.ToHashSet(StringComparer.Ordinal);
        var have = actual.ToHashSet(StringComparer.Ordinal);
        var missing = want.Where(k => !have.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = have.Where(k => !want.Contains(k) && !(tieWordEmbeddings && k == LmHeadWeight))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (missing.Count == 0 && unexpected.Count == 0)
            return;
        var parts = new List<string>();
        if (missing.Count > 0)
            parts.Add($"missing tensors {List(missing)}");
        if (unexpected.Count > 0)
            parts.Add($"unexpected tensors {List(unexpected)}");
        throw new PonderException($"{source}: {string.Join("; ", parts)} (does the checkpoint match config.json?).");
    }

    static string List(List<string> names, int shown = 5) =>
        string.Join(", ", names.Take(shown)) + (names.Count > shown ? $" and {names.Count - shown} more" : "");

    static string RequireDirectory(string dir)
    {
        if (!Directory.Exists(dir))
            throw new PonderException($"{dir}: model directory not found.");
        return dir;
    }

    static string RequireConfig(string dir)
    {
        string path = Path.Combine(RequireDirectory(dir), ConfigFile);
        if (!File.Exists(path) && PeftAdapter.IsAdapter(dir))
        {
            throw new PonderException(
                $"{dir}: a LoRA adapter folder, not a whole model; fold it into its base first: ponder merge "
                    + $"--adapter {dir} --out DIR."
            );
        }

        if (!File.Exists(path))
        {
            throw new PonderException(
                $"{dir}: {ConfigFile} not found; a Hugging Face model directory needs config.json next to its weights."
            );
        }

        return path;
    }

    static void DeleteIfExists(string path)
    {
        if (File.Exists(path))
            File.Delete(path);
    }
}
