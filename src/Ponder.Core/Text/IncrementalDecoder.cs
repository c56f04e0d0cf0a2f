using System.Text;

namespace Ponder.Text;

/// <summary>
/// Streams decoded text while tokens are generated: <see cref="Add"/> returns only the newly completed text and
/// holds back the bytes of a character that is not complete yet (an emoji spans up to four byte tokens).
/// The concatenation of every <see cref="Add"/> and the final <see cref="Flush"/> equals
/// <see cref="TextTokenizer.Decode"/> of all ids.
/// </summary>
public sealed class IncrementalDecoder
{
    private readonly TextTokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();

    internal IncrementalDecoder(TextTokenizer tokenizer, bool skipSpecialTokens)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>Feeds one id; returns the text it completes (possibly empty).</summary>
    public string Add(int id) => Convert(_tokenizer.TokenBytes(id, _skipSpecialTokens), flush: false);

    /// <summary>Ends the stream: held-back bytes of an unfinished character come out as U+FFFD.</summary>
    public string Flush() => Convert([], flush: true);

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        var chars = new char[_utf8.GetCharCount(bytes, flush: false) + 4];
        int count = _utf8.GetChars(bytes, chars, flush);
        return new string(chars, 0, count);
    }
}
