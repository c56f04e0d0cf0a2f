using System.Text;
using System.Text.RegularExpressions;

namespace Ponder.Text.Jinja;

/// <summary>
/// The template text as the lexer reads it, prepared as transformers configures Jinja: one trailing newline dropped,
/// <c>lstrip_blocks</c> (spaces and tabs before a block or comment tag on its line are removed) and
/// <c>trim_blocks</c> (the newline right after a block or comment tag is removed). Keeps, for every character, the
/// line of the original template it came from, so errors name the line the author sees.
/// </summary>
sealed partial class JinjaSource
{
    readonly int[] lines;

    JinjaSource(string text, int[] lines)
    {
        Text = text;
        this.lines = lines;
    }

    public string Text { get; }

    /// <summary>The 1-based template line of character <paramref name="index"/> of <see cref="Text"/>.</summary>
    public int LineAt(int index) =>
        lines.Length == 0 ? 1
        : index < lines.Length ? lines[index]
        : lines[^1];

    public static JinjaSource Prepare(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var line = new int[template.Length];
        for (int i = 0, n = 1; i < template.Length; i++)
        {
            line[i] = n;
            if (template[i] == '\n')
                n++;
        }
        var keep = Enumerable.Repeat(true, template.Length).ToArray();
        if (template.EndsWith('\n'))
            keep[^1] = false;
        // Both passes look at the text left by the previous one, as the regex replacements of the oracle do.
        Drop(template, keep, LstripBlocks(), m => m.Index, m => m.Groups[1].Index - m.Index);
        Drop(template, keep, TrimBlocks(), m => m.Index + m.Length - 1, _ => 1);
        var text = new StringBuilder(template.Length);
        var kept = new List<int>(template.Length);
        for (int i = 0; i < template.Length; i++)
        {
            if (!keep[i])
                continue;
            text.Append(template[i]);
            kept.Add(line[i]);
        }
        return new JinjaSource(text.ToString(), [.. kept]);
    }

    /// <summary>Applies a removal to the characters still kept, matching on the text they form.</summary>
    static void Drop(string template, bool[] keep, Regex pattern, Func<Match, int> from, Func<Match, int> count)
    {
        var index = new List<int>(template.Length);
        var text = new StringBuilder(template.Length);
        for (int i = 0; i < template.Length; i++)
        {
            if (!keep[i])
                continue;
            index.Add(i);
            text.Append(template[i]);
        }
        foreach (Match m in pattern.Matches(text.ToString()))
        {
            int start = from(m);
            for (int k = 0; k < count(m); k++)
                keep[index[start + k]] = false;
        }
    }

    [GeneratedRegex(@"^[ \t]*(\{[#%-])", RegexOptions.Multiline)]
    private static partial Regex LstripBlocks();

    [GeneratedRegex(@"[#%-]\}\n")]
    private static partial Regex TrimBlocks();
}
