using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Ponder.Text;

/// <summary>
/// Applies Hugging Face <c>Split</c> steps in sequence with the "Isolated" behaviour: each regex match becomes a
/// piece and so does each gap between matches, then the next regex splits every piece again. The regexes see one
/// character per code point (<see cref="CodePointView"/>), as in Hugging Face's Rust regex engine.
/// Special tokens are deliberately unknown here: <see cref="TextTokenizer"/> splits them out itself, and only when
/// the caller allows it.
/// </summary>
sealed class SplitPreTokenizer : PreTokenizer
{
    readonly IReadOnlyList<Regex> steps;

    public SplitPreTokenizer(IReadOnlyList<Regex> steps) => this.steps = steps;

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }
        var view = CodePointView.Of(text);
        var pieces = new List<(int Offset, int Length)> { (0, view.Text.Length) };
        foreach (var regex in steps)
        {
            var next = new List<(int Offset, int Length)>(pieces.Count * 2);
            foreach (var (offset, length) in pieces)
            {
                SplitIsolated(regex, view.Text, offset, length, next);
            }
            pieces = next;
        }
        return pieces.ConvertAll(p => view.Original(p.Offset, p.Length));
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) =>
        PreTokenize(text.ToString());

    static void SplitIsolated(Regex regex, string text, int offset, int length, List<(int, int)> output)
    {
        int position = offset;
        int end = offset + length;
        for (var match = regex.Match(text, offset, length); match.Success; match = match.NextMatch())
        {
            if (match.Length == 0)
            {
                continue;
            }
            if (match.Index > position)
            {
                output.Add((position, match.Index - position));
            }
            output.Add((match.Index, match.Length));
            position = match.Index + match.Length;
        }
        if (end > position)
        {
            output.Add((position, end - position));
        }
    }
}
