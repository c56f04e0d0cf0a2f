using System.Text.Json;
using Ponder.Text.Jinja;

namespace Ponder.Tests.Text.Jinja;

/// <summary>The chat-template fixtures: the families' templates, their special tokens, the test conversations and
/// the goldens the oracle (tests/oracles/jinja/render.mjs) wrote.</summary>
static class TemplateFixtures
{
    public static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "templates");

    /// <summary>The moment <c>strftime_now</c> sees, as in the oracle: 2025-07-26 12:00 UTC.</summary>
    public static readonly TimeProvider Clock = new FixedClock(
        new DateTimeOffset(2025, 7, 26, 12, 0, 0, TimeSpan.Zero)
    );

    public static IEnumerable<string> Families()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "families.json")));
        return doc.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
    }

    public static IEnumerable<string> Conversations() =>
        Directory
            .GetFiles(Path.Combine(Dir, "conversations"), "*.json")
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .ToArray()!;

    public static string Template(string family) => File.ReadAllText(Path.Combine(Dir, family + ".jinja"));

    /// <summary>The family's bos/eos token names (null when the tokenizer has none).</summary>
    public static (string? Bos, string? Eos) Tokens(string family)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "families.json")));
        var entry = doc.RootElement.GetProperty(family);
        return (entry.GetProperty("bos_token").GetString(), entry.GetProperty("eos_token").GetString());
    }

    public static string ConversationJson(string name) =>
        File.ReadAllText(Path.Combine(Dir, "conversations", name + ".json"));

    /// <summary>The variables of a conversation as the oracle passes them: every field of the file (untrusted)
    /// plus the family's bos/eos tokens when it has them.</summary>
    public static Dictionary<string, object?> Variables(string family, string conversation)
    {
        using var doc = JsonDocument.Parse(ConversationJson(conversation));
        var variables = doc
            .RootElement.EnumerateObject()
            .ToDictionary(p => p.Name, p => JinjaVariables.FromJson(p.Value, untrusted: true), StringComparer.Ordinal);
        var (bos, eos) = Tokens(family);
        if (bos is not null)
            variables["bos_token"] = JinjaVariables.Text(bos, untrusted: false);
        if (eos is not null)
            variables["eos_token"] = JinjaVariables.Text(eos, untrusted: false);
        return variables;
    }

    /// <summary>The golden rendering, or null when the oracle raised (then <paramref name="error"/> holds its
    /// message).</summary>
    public static string? Golden(string family, string conversation, out string? error)
    {
        string path = Path.Combine(Dir, "golden", family, conversation);
        error = File.Exists(path + ".error.txt") ? File.ReadAllText(path + ".error.txt") : null;
        return error is null ? File.ReadAllText(path + ".txt") : null;
    }

    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
