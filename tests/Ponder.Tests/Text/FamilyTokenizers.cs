using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ponder.Tests.Text.Jinja;
using Ponder.Text;

namespace Ponder.Tests.Text;

/// <summary>
/// Small tokenizers in the shape of each family's: the 256 byte tokens (no merges, so ids are cheap to reason
/// about), the family's control tokens as added tokens (every <c>&lt;|…|&gt;</c> or <c>&lt;｜…｜&gt;</c> its
/// template writes, and <c>&lt;think&gt;</c>/<c>&lt;/think&gt;</c>), and a tokenizer_config.json with the family's
/// real chat template and bos/eos names.
/// </summary>
static partial class FamilyTokenizers
{
    /// <summary>Writes the family's tokenizer files into <paramref name="dir"/> and loads them.</summary>
    public static TextTokenizer Write(string family, string dir, bool templateAsFile = false)
    {
        string template = TemplateFixtures.Template(family);
        var (bos, eos) = TemplateFixtures.Tokens(family);
        var specials = ControlToken()
            .Matches(template)
            .Select(m => m.Value)
            .Concat(["<think>", "</think>", "<tool_call>", "</tool_call>"])
            .Concat(new[] { bos, eos }.OfType<string>())
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var json = TestTokenizers.Json(
            arrayMerges: false,
            TestTokenizers.SplitThenByteLevel(TestTokenizers.Qwen2Pattern)
        );
        var added = new JsonArray();
        for (int i = 0; i < specials.Count; i++)
        {
            bool special = specials[i] is not ("<think>" or "</think>" or "<tool_call>" or "</tool_call>");
            added.Add(
                new JsonObject
                {
                    ["id"] = 300 + i,
                    ["content"] = specials[i],
                    ["special"] = special,
                }
            );
        }
        json["added_tokens"] = added;
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json.ToJsonString());
        var config = new JsonObject { ["bos_token"] = bos, ["eos_token"] = eos };
        if (templateAsFile)
            File.WriteAllText(Path.Combine(dir, TextTokenizer.TemplateFileName), template);
        else
            config["chat_template"] = template;
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString());
        return TextTokenizer.Load(dir);
    }

    [GeneratedRegex(@"<[|｜][^<>'""\s]*?[|｜]>")]
    private static partial Regex ControlToken();
}
