namespace Ponder.Text;

/// <summary>
/// GPT-2's reversible byte ↔ character mapping: byte-level BPE vocabularies store every byte as a printable
/// character (space is "Ġ", newline "Ċ"), so any UTF-8 text is covered by 256 base tokens.
/// </summary>
static class ByteLevel
{
    /// <summary>Character standing for each byte value, indexed by byte.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>Inverse of <see cref="ByteToChar"/>.</summary>
    public static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    /// <summary>The GPT-2 pre-tokenizer regex, used by <c>ByteLevel{use_regex:true}</c>.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    static char[] BuildByteToChar()
    {
        // Printable Latin-1 bytes map to themselves; the other 68 bytes map to 256, 257, … in byte order.
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    static Dictionary<char, byte> BuildCharToByte()
    {
        var inverse = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++)
        {
            inverse[ByteToChar[b]] = (byte)b;
        }
        return inverse;
    }

    /// <summary>The byte-level form of text (its UTF-8 bytes as GPT-2 byte characters), as vocabulary keys are
    /// spelled.</summary>
    public static string FromText(ReadOnlySpan<char> text)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text)];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }
        return new string(chars);
    }

    /// <summary>The raw bytes a byte-level vocabulary token stands for.</summary>
    public static byte[] TokenToBytes(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            if (!CharToByte.TryGetValue(token[i], out bytes[i]))
            {
                // Not a byte-level character (a hand-written vocabulary entry): fall back to its UTF-8 form.
                return System.Text.Encoding.UTF8.GetBytes(token);
            }
        }
        return bytes;
    }
}
