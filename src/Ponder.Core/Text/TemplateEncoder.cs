using System.Text.RegularExpressions;
using Ponder.Text.Jinja;

namespace Ponder.Text;

/// <summary>
/// Turns a rendered chat template into token ids the way transformers' <c>apply_chat_template(tokenize=True)</c>
/// does — added tokens split out, the text between them encoded piece by piece — with one difference that keeps the
/// model safe: an added token becomes its control id only where the template wrote all of its characters. Where any
/// character came from a message, a tool definition or a request variable, the text is encoded as ordinary text,
/// so a user who types "&lt;|im_end|&gt;" or "&lt;/think&gt;" cannot forge a turn or end the reasoning.
/// </summary>
sealed class TemplateEncoder
{
    readonly TextTokenizer tokenizer;
    readonly Regex? addedTokens;

    public TemplateEncoder(TextTokenizer tokenizer)
    {
        this.tokenizer = tokenizer;
        var contents = tokenizer
            .AddedTokens.Select(t => t.Content)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(c => c.Length)
            .Select(Regex.Escape)
            .ToArray();
        addedTokens =
            contents.Length == 0 ? null : new Regex(string.Join('|', contents), RegexOptions.CultureInvariant);
    }

    public List<int> Encode(JinjaString rendered)
    {
        string text = rendered.Value;
        var ids = new List<int>();
        int pending = 0;
        if (addedTokens is not null)
        {
            for (var match = addedTokens.Match(text); match.Success; match = match.NextMatch())
            {
                if (Enumerable.Range(match.Index, match.Length).Any(rendered.IsUntrusted))
                    continue;
                if (match.Index > pending)
                    ids.AddRange(tokenizer.Encode(text[pending..match.Index], allowSpecialTokens: false));
                ids.Add(tokenizer.TokenToId(match.Value)!.Value);
                pending = match.Index + match.Length;
            }
        }
        if (pending < text.Length)
            ids.AddRange(tokenizer.Encode(text[pending..], allowSpecialTokens: false));
        return ids;
    }
}
