using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ponder.Text;

/// <summary>What Ponder needs from a Hugging Face tokenizer.json (byte-level BPE only).</summary>
sealed record TokenizerSpec(
    Dictionary<string, int> Vocab,
    List<string> Merges,
    bool IgnoreMerges,
    List<AddedToken> AddedTokens,
    List<Regex> PreTokenizerSteps,
    bool Nfc,
    string? TemplateBosToken
);

/// <summary>Parses tokenizer.json; every error names the file and the field.</summary>
static class TokenizerJson
{
    const string File = "tokenizer.json";
    const string Supported = "Ponder reads byte-level BPE tokenizers (Qwen2, Llama 3, SmolLM2, GPT-2)";

    public static TokenizerSpec Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new PonderException($"{File}: not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PonderException($"{File}: expected a JSON object at the top level");
            }
            var model = Required(root, "model", JsonValueKind.Object, "model");
            string type =
                model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                    ? t.GetString()!
                    : throw new PonderException($"{File}: field \"model.type\" is missing; {Supported}");
            if (type != "BPE")
            {
                throw new PonderException($"{File}: model type \"{type}\" is not supported; {Supported}");
            }
            var steps = new List<Regex>();
            bool byteLevel = false;
            if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind != JsonValueKind.Null)
            {
                ReadPreTokenizer(pre, "pre_tokenizer", steps, ref byteLevel);
            }
            if (!byteLevel)
            {
                throw new PonderException($"{File}: field \"pre_tokenizer\" has no ByteLevel step; {Supported}");
            }
            return new TokenizerSpec(
                ReadVocab(Required(model, "vocab", JsonValueKind.Object, "model.vocab")),
                ReadMerges(model),
                model.TryGetProperty("ignore_merges", out var ignore) && ignore.ValueKind == JsonValueKind.True,
                ReadAddedTokens(root),
                steps,
                ReadNormalizer(root),
                ReadTemplateBos(root)
            );
        }
    }

    static JsonElement Required(JsonElement parent, string name, JsonValueKind kind, string path)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            throw new PonderException($"{File}: field \"{path}\" is missing");
        }
        if (value.ValueKind != kind)
        {
            throw new PonderException(
                $"{File}: field \"{path}\" should be a JSON {kind.ToString().ToLowerInvariant()}, not "
                    + $"{value.ValueKind.ToString().ToLowerInvariant()}"
            );
        }
        return value;
    }

    static Dictionary<string, int> ReadVocab(JsonElement vocab)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
            {
                throw new PonderException(
                    $"{File}: field \"model.vocab\" entry \"{entry.Name}\" should map to a non-negative integer id"
                );
            }
            result[entry.Name] = id;
        }
        return result;
    }

    /// <summary>Merges come as <c>"a b"</c> strings (older files) or <c>["a","b"]</c> pairs (tokenizers ≥
    /// 0.20).</summary>
    static List<string> ReadMerges(JsonElement model)
    {
        var merges = new List<string>();
        if (!model.TryGetProperty("merges", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return merges;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new PonderException($"{File}: field \"model.merges\" should be a JSON array");
        }
        int index = 0;
        foreach (var merge in array.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String && merge.GetString()!.Split(' ').Length == 2)
            {
                merges.Add(merge.GetString()!);
            }
            else if (
                merge.ValueKind == JsonValueKind.Array
                && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String
                && merge[1].ValueKind == JsonValueKind.String
            )
            {
                merges.Add(merge[0].GetString() + " " + merge[1].GetString());
            }
            else
            {
                throw new PonderException(
                    $"{File}: field \"model.merges[{index}]\" should be \"a b\" or [\"a\", \"b\"]"
                );
            }
            index++;
        }
        return merges;
    }

    static List<AddedToken> ReadAddedTokens(JsonElement root)
    {
        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return tokens;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new PonderException($"{File}: field \"added_tokens\" should be a JSON array");
        }
        int index = 0;
        foreach (var token in array.EnumerateArray())
        {
            string path = $"added_tokens[{index++}]";
            if (token.ValueKind != JsonValueKind.Object)
            {
                throw new PonderException($"{File}: field \"{path}\" should be a JSON object");
            }
            var id = Required(token, "id", JsonValueKind.Number, path + ".id");
            var content = Required(token, "content", JsonValueKind.String, path + ".content");
            bool special = token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True;
            if (!id.TryGetInt32(out int value) || value < 0)
            {
                throw new PonderException($"{File}: field \"{path}.id\" should be a non-negative integer");
            }
            if (content.GetString()!.Length == 0)
            {
                throw new PonderException($"{File}: field \"{path}.content\" is empty");
            }
            tokens.Add(new AddedToken(value, content.GetString()!, special));
        }
        return tokens;
    }

    static void ReadPreTokenizer(JsonElement node, string path, List<Regex> steps, ref bool byteLevel)
    {
        string type = Required(node, "type", JsonValueKind.String, path + ".type").GetString()!;
        switch (type)
        {
            case "Sequence":
                int index = 0;
                foreach (
                    var child in Required(node, "pretokenizers", JsonValueKind.Array, path + ".pretokenizers")
                        .EnumerateArray()
                )
                {
                    ReadPreTokenizer(child, $"{path}.pretokenizers[{index++}]", steps, ref byteLevel);
                }
                break;
            case "Split":
                steps.Add(SplitStep(node, path));
                break;
            case "ByteLevel":
                if (node.TryGetProperty("add_prefix_space", out var prefix) && prefix.ValueKind == JsonValueKind.True)
                {
                    throw new PonderException(
                        $"{File}: field \"{path}.add_prefix_space\" true is not supported; set it to false"
                    );
                }
                byteLevel = true;
                // HF defaults use_regex to true when the field is absent.
                if (!node.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind != JsonValueKind.False)
                {
                    steps.Add(Compile(ByteLevel.Gpt2Pattern, path));
                }
                break;
            case "Digits":
                bool individual =
                    node.TryGetProperty("individual_digits", out var d) && d.ValueKind == JsonValueKind.True;
                steps.Add(Compile(individual ? @"\p{N}" : @"\p{N}+", path));
                break;
            default:
                throw new PonderException(
                    $"{File}: field \"{path}.type\" is \"{type}\", which is not supported; {Supported}"
                );
        }
    }

    /// <summary>A Split step: its regex (or escaped string), Isolated and not inverted.</summary>
    static Regex SplitStep(JsonElement node, string path)
    {
        var pattern = Required(node, "pattern", JsonValueKind.Object, path + ".pattern");
        string regex =
            pattern.TryGetProperty("Regex", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()!
            : pattern.TryGetProperty("String", out var s) && s.ValueKind == JsonValueKind.String
                ? Regex.Escape(s.GetString()!)
            : throw new PonderException($"{File}: field \"{path}.pattern\" should hold \"Regex\" or \"String\"");
        string behavior = node.TryGetProperty("behavior", out var b) ? b.GetString() ?? "Isolated" : "Isolated";
        bool invert = node.TryGetProperty("invert", out var inv) && inv.ValueKind == JsonValueKind.True;
        if (behavior != "Isolated" || invert)
        {
            throw new PonderException(
                $"{File}: field \"{path}\": Split with behavior \"{behavior}\" and invert "
                    + $"{invert.ToString().ToLowerInvariant()} is not supported (only Isolated, not "
                    + $"inverted); {Supported}"
            );
        }
        return Compile(regex, path + ".pattern.Regex");
    }

    static Regex Compile(string pattern, string path)
    {
        try
        {
            return new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new PonderException($"{File}: field \"{path}\" is not a regex .NET can read ({e.Message})", e);
        }
    }

    static bool ReadNormalizer(JsonElement root)
    {
        if (!root.TryGetProperty("normalizer", out var node) || node.ValueKind == JsonValueKind.Null)
        {
            return false;
        }
        string type = Required(node, "type", JsonValueKind.String, "normalizer.type").GetString()!;
        return type switch
        {
            "NFC" => true,
            "Sequence"
                when node.TryGetProperty("normalizers", out var list)
                    && list.ValueKind == JsonValueKind.Array
                    && list.GetArrayLength() == 0 => false,
            _ => throw new PonderException(
                $"{File}: field \"normalizer.type\" is \"{type}\", which is not supported (only NFC or null); "
                    + $"{Supported}"
            ),
        };
    }

    /// <summary>The BOS token a TemplateProcessing post-processor puts before every sequence (Llama 3).</summary>
    static string? ReadTemplateBos(JsonElement root)
    {
        if (!root.TryGetProperty("post_processor", out var node) || node.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (
            node.TryGetProperty("type", out var type)
            && type.GetString() == "Sequence"
            && node.TryGetProperty("processors", out var processors)
            && processors.ValueKind == JsonValueKind.Array
        )
        {
            foreach (var child in processors.EnumerateArray())
            {
                if (
                    child.ValueKind == JsonValueKind.Object
                    && child.TryGetProperty("type", out var ct)
                    && ct.GetString() == "TemplateProcessing"
                )
                {
                    node = child;
                    break;
                }
            }
        }
        if (
            !node.TryGetProperty("type", out type)
            || type.GetString() != "TemplateProcessing"
            || !node.TryGetProperty("single", out var single)
            || single.ValueKind != JsonValueKind.Array
            || single.GetArrayLength() == 0
        )
        {
            return null;
        }
        var first = single[0];
        return
            first.ValueKind == JsonValueKind.Object
            && first.TryGetProperty("SpecialToken", out var special)
            && special.TryGetProperty("id", out var id)
            && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;
    }
}
