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
    readonly TextTokenizer tokenizer;
    readonly bool skipSpecialTokens;
    readonly Decoder utf8 = Encoding.UTF8.GetDecoder();

    internal IncrementalDecoder(TextTokenizer tokenizer, bool skipSpecialTokens)
    {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>Feeds one id; returns the text it completes (possibly empty).</summary>
    public string Add(int id) => Convert(tokenizer.TokenBytes(id, skipSpecialTokens), flush: false);

    /// <summary>Ends the stream: held-back bytes of an unfinished character come out as U+FFFD.</summary>
    public string Flush() => Convert([], flush: true);

    string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        var chars = new char[utf8.GetCharCount(bytes, flush: false) + 4];
        int count = utf8.GetChars(bytes, chars, flush);
        return new string(chars, 0, count);
    }
}
