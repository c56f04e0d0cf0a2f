using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ponder.Checkpoints;
using Ponder.LanguageModels;
using Ponder.Text;

namespace Ponder.Scoring;

/// <summary>
/// <c>scorer.json</c>: what a scorer was trained for, so that it is never applied to token ids it cannot read.
/// A scorer scores the policy's own tokens (prompt + completion ids), so the policy must share its tokenizer
/// (same vocabulary, id for id) and its architecture family.
/// </summary>
public sealed record ScorerInfo
{
    public const string FileName = "scorer.json";

    /// <summary>The name directories written before the learned scorer was renamed still carry.</summary>
    internal const string LegacyFileName = "verifier.json";

    /// <summary>The scorer kind. <value>The default value is "outcome" (one score per completion, read at the last
    /// token).</value></summary>
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "outcome";

    /// <summary>A process scorer's step separator (<see cref="Tasks.ReasoningSteps"/>). <value>The default value is
    /// null (an outcome scorer).</value></summary>
    [JsonPropertyName("step_separator")]
    public string? StepSeparator { get; init; }

    /// <summary>A process scorer's default aggregation of step scores: last, min or prod. <value>The default value is
    /// null (an outcome scorer).</value></summary>
    [JsonPropertyName("aggregation")]
    public string? Aggregation { get; init; }

    /// <summary>SHA-256 of the tokenizer's vocabulary (every id's token, in id order).</summary>
    [JsonPropertyName("tokenizer_sha256")]
    public string TokenizerSha256 { get; init; } = "";

    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; }

    /// <summary>The policy's <c>model_type</c> (llama, qwen2, …).</summary>
    [JsonPropertyName("architecture")]
    public string Architecture { get; init; } = "";

    /// <summary>The policy directory the body was initialised from.</summary>
    [JsonPropertyName("base_model")]
    public string BaseModel { get; init; } = "";

    [JsonPropertyName("task")]
    public string? Task { get; init; }

    /// <summary>Tokens scored at most; longer inputs keep their last tokens (the answer).</summary>
    [JsonPropertyName("max_length")]
    public int MaxLength { get; init; }

    /// <summary>Held-out metrics (auc, brier, ece, examples, positive_rate, …). <value>The default value is
    /// empty.</value></summary>
    [JsonPropertyName("metrics")]
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The fields that describe <paramref name="policy"/> (metrics left empty).</summary>
    public static ScorerInfo For(LanguageModel policy, string baseModel, int maxLength, string? task) =>
        new()
        {
            TokenizerSha256 = Fingerprint(policy.Tokenizer),
            VocabSize = policy.Tokenizer.VocabSize,
            Architecture = policy.Config.ModelType,
            BaseModel = baseModel,
            Task = task,
            MaxLength = maxLength,
        };

    /// <summary>SHA-256 (hex) over the tokens of ids 0 … V−1, newline-separated (a missing id hashes as
    /// empty).</summary>
    public static string Fingerprint(TextTokenizer tokenizer)
    {
        var text = new StringBuilder();
        for (int id = 0; id < tokenizer.VocabSize; id++)
            text.Append(tokenizer.IdToToken(id)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Throws a <see cref="PonderException"/> naming the difference when <paramref name="policy"/> does not
    /// have the tokenizer and architecture this scorer was trained for.</summary>
    public void CheckCompatible(LanguageModel policy, string scorerDir) =>
        CheckCompatible(Fingerprint(policy.Tokenizer), policy.Tokenizer.VocabSize, policy.Config.ModelType, scorerDir);

    /// <inheritdoc cref="CheckCompatible(LanguageModel, string)"/>
    public void CheckCompatible(string tokenizerSha256, int vocabSize, string architecture, string scorerDir)
    {
        const string fix = "train one for this policy with `ponder scorer train --policy DIR`";
        if (tokenizerSha256 != TokenizerSha256 || vocabSize != VocabSize)
        {
            throw new PonderException(
                $"scorer {scorerDir} was trained for another tokenizer (vocabulary {VocabSize}, sha256 "
                    + $"{TokenizerSha256[..Math.Min(12, TokenizerSha256.Length)]}) than the policy's (vocabulary "
                    + $"{vocabSize}, sha256 {tokenizerSha256[..Math.Min(12, tokenizerSha256.Length)]}): it would "
                    + $"read other tokens; {fix}."
            );
        }

        if (!string.Equals(architecture, Architecture, StringComparison.OrdinalIgnoreCase))
        {
            throw new PonderException(
                $"scorer {scorerDir} was trained for a {Architecture} policy, not {architecture}; {fix}."
            );
        }
    }

    public void Save(string dir) =>
        AtomicFile.WriteAllText(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    public static ScorerInfo Load(string dir)
    {
        string path = Path.Combine(dir, FileName);
        if (!File.Exists(path) && File.Exists(Path.Combine(dir, LegacyFileName)))
            path = Path.Combine(dir, LegacyFileName);
        if (!File.Exists(path))
        {
            throw new PonderException(
                $"{dir}: not a scorer directory ({FileName} is missing); make one with `ponder scorer train`."
            );
        }

        try
        {
            return JsonSerializer.Deserialize<ScorerInfo>(File.ReadAllText(path), Json)
                ?? throw new PonderException($"{path}: empty.");
        }
        catch (JsonException e)
        {
            throw new PonderException($"{path}: not valid JSON ({e.Message}).", e);
        }
    }
}
