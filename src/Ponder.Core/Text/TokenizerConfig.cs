using System.Text.Json;

namespace Ponder.Text;

/// <summary>The fields Ponder reads from tokenizer_config.json.</summary>
sealed record TokenizerConfig(
    string? BosToken,
    string? EosToken,
    string? PadToken,
    bool? AddBosToken,
    bool HasChatTemplate,
    string? ChatTemplate = null
)
{
    const string File = "tokenizer_config.json";

    public static TokenizerConfig Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PonderException($"{File}: expected a JSON object at the top level");
            }
            bool? addBos =
                root.TryGetProperty("add_bos_token", out var a)
                && a.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? a.GetBoolean()
                    : null;
            bool hasTemplate =
                root.TryGetProperty("chat_template", out var t)
                && t.ValueKind is JsonValueKind.String or JsonValueKind.Array;
            return new TokenizerConfig(
                Token(root, "bos_token"),
                Token(root, "eos_token"),
                Token(root, "pad_token"),
                addBos,
                hasTemplate,
                hasTemplate ? Template(t) : null
            );
        }
        catch (JsonException e)
        {
            throw new PonderException($"{File}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary><c>chat_template</c>: a string, or (transformers' form for several templates) a list of
    /// <c>{"name", "template"}</c> of which the one named "default" is the chat template.</summary>
    static string Template(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
            return value.GetString()!;
        foreach (var entry in value.EnumerateArray())
        {
            if (
                entry.ValueKind == JsonValueKind.Object
                && entry.TryGetProperty("name", out var name)
                && name.ValueKind == JsonValueKind.String
                && name.GetString() == "default"
                && entry.TryGetProperty("template", out var template)
                && template.ValueKind == JsonValueKind.String
            )
            {
                return template.GetString()!;
            }
        }
        throw new PonderException(
            $"{File}: field \"chat_template\" is a list without an entry {{\"name\": \"default\", \"template\": …}}; "
                + "add one, or make chat_template the template string"
        );
    }

    /// <summary>A token name is a string, or an object with "content" (older AddedToken serialisation).</summary>
    static string? Token(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            JsonValueKind.Object
                when value.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
            _ => throw new PonderException($"{File}: field \"{name}\" should be a string, null or {{\"content\": …}}"),
        };
    }
}
