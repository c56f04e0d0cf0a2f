using System.Globalization;
using System.Text;

namespace Ponder.Text;

/// <summary>
/// Text with every surrogate pair replaced by one BMP character of the same Unicode category, so a .NET regex sees
/// one character per code point as Hugging Face's Rust regex does. Without it <c>\p{L}</c> and <c>\p{N}</c> never
/// match a character outside the BMP (𝐀, 𝟏, 𠀀): .NET matches UTF-16 units and a surrogate is category Cs.
/// </summary>
readonly struct CodePointView
{
    /// <summary>The text the regexes run on: the original, or the stand-in copy.</summary>
    public string Text { get; }

    /// <summary>Original index of each view index (one more entry for the end); null when the view is the
    /// original.</summary>
    readonly int[]? starts;

    CodePointView(string text, int[]? starts)
    {
        Text = text;
        this.starts = starts;
    }

    public static CodePointView Of(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return new CodePointView(text, null);
        }
        var view = new StringBuilder(text.Length);
        var starts = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            starts.Add(i);
            if (char.IsSurrogatePair(text, i))
            {
                view.Append(StandIn(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]))));
                i++;
            }
            else
            {
                view.Append(text[i]);
            }
        }
        starts.Add(text.Length);
        return new CodePointView(view.ToString(), [.. starts]);
    }

    /// <summary>The original (offset, length) of a piece of <see cref="Text"/>.</summary>
    public (int Offset, int Length) Original(int offset, int length) =>
        starts is null ? (offset, length) : (starts[offset], starts[offset + length] - starts[offset]);

    /// <summary>
    /// A BMP character of the category: none is ASCII, whitespace or a case variant of a letter the split patterns
    /// spell out (<c>(?i:'s|'t|…)</c>), so only the category decides how a pattern treats it.
    /// </summary>
    static char StandIn(UnicodeCategory category) =>
        category switch
        {
            UnicodeCategory.UppercaseLetter => '\u0416', // Ж
            UnicodeCategory.LowercaseLetter => '\u0436', // ж
            UnicodeCategory.TitlecaseLetter => '\u01C5', // ǅ
            UnicodeCategory.ModifierLetter => '\u02B0', // ʰ
            UnicodeCategory.OtherLetter => '\u3042', // あ
            UnicodeCategory.NonSpacingMark => '\u0300',
            UnicodeCategory.SpacingCombiningMark => '\u0903',
            UnicodeCategory.EnclosingMark => '\u20DD',
            UnicodeCategory.DecimalDigitNumber => '\u0660', // ٠
            UnicodeCategory.LetterNumber => '\u2160', // Ⅰ
            UnicodeCategory.OtherNumber => '\u00B2', // ²
            UnicodeCategory.ConnectorPunctuation => '\u203F',
            UnicodeCategory.DashPunctuation => '\u2010',
            UnicodeCategory.OpenPunctuation => '\u2045',
            UnicodeCategory.ClosePunctuation => '\u2046',
            UnicodeCategory.InitialQuotePunctuation => '\u00AB',
            UnicodeCategory.FinalQuotePunctuation => '\u00BB',
            UnicodeCategory.OtherPunctuation => '\u00A1',
            UnicodeCategory.MathSymbol => '\u00B1',
            UnicodeCategory.CurrencySymbol => '\u00A2',
            UnicodeCategory.ModifierSymbol => '\u00A8',
            UnicodeCategory.OtherSymbol => '\u00A9',
            UnicodeCategory.Format => '\u2060',
            UnicodeCategory.PrivateUse => '\uE000',
            // No separator or control character lies outside the BMP; unassigned code points remain.
            _ => '\u0378',
        };
}
