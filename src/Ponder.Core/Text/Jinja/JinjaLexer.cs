using System.Text;

namespace Ponder.Text.Jinja;

enum TokenKind
{
    Text,
    BlockStart,
    BlockEnd,
    VarStart,
    VarEnd,
    Name,
    String,
    Integer,
    Float,
    Symbol,
}

/// <param name="Line">The 1-based line of the original template.</param>
sealed record Token(TokenKind Kind, string Value, int Line);

/// <summary>Splits prepared template text into text, tags and expression tokens, applying the <c>-</c> whitespace
/// control of each tag.</summary>
sealed class JinjaLexer
{
    static readonly string[] Symbols =
    [
        "<=",
        ">=",
        "==",
        "!=",
        "**",
        "//",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ",",
        ".",
        ":",
        "|",
        "<",
        ">",
        "+",
        "-",
        "~",
        "*",
        "/",
        "%",
        "=",
    ];

    readonly JinjaSource source;
    readonly string src;
    readonly List<Token> tokens = [];
    int pos;
    int braces;

    JinjaLexer(JinjaSource source)
    {
        this.source = source;
        src = source.Text;
    }

    public static List<Token> Tokenize(JinjaSource source)
    {
        var lexer = new JinjaLexer(source);
        lexer.Run();
        return lexer.tokens;
    }

    PonderException Error(string what) => new($"chat template line {source.LineAt(pos)}: {what}");

    void Run()
    {
        bool inTag = false;
        while (pos < src.Length)
        {
            if (!inTag)
            {
                ReadText();
                if (pos >= src.Length)
                    break;
                inTag = OpenTag();
                continue;
            }
            inTag = ReadInsideTag();
        }
        if (inTag)
            throw Error("the template ends inside a {{ }} or {% %} tag; close it");
    }

    void ReadText()
    {
        int end = pos;
        while (true)
        {
            end = src.IndexOf('{', end);
            if (end < 0 || end + 1 >= src.Length)
            {
                end = src.Length;
                break;
            }
            if (src[end + 1] is '%' or '{' or '#')
                break;
            end++;
        }
        if (end > pos)
            tokens.Add(new Token(TokenKind.Text, src[pos..end], source.LineAt(pos)));
        pos = end;
    }

    /// <summary>At "{%", "{{" or "{#": emits the opening token (a comment is skipped whole); returns whether a tag
    /// is open.</summary>
    bool OpenTag()
    {
        char kind = src[pos + 1];
        bool strip = pos + 2 < src.Length && src[pos + 2] == '-';
        int line = source.LineAt(pos);
        if (strip)
            StripTrailingWhitespace();
        pos += strip ? 3 : 2;
        if (kind == '#')
        {
            int end = src.IndexOf("#}", pos, StringComparison.Ordinal);
            if (end < 0)
                throw new PonderException($"chat template line {line}: a {{# comment is never closed with #}}");
            bool stripAfter = end > pos && src[end - 1] == '-';
            pos = end + 2;
            if (stripAfter)
                SkipWhitespace();
            // A comment between two pieces of text still separates them, as the oracle keeps them apart.
            tokens.Add(new Token(TokenKind.Text, "", line));
            return false;
        }
        braces = 0;
        tokens.Add(new Token(kind == '%' ? TokenKind.BlockStart : TokenKind.VarStart, "", line));
        return true;
    }

    void StripTrailingWhitespace()
    {
        if (tokens.Count == 0 || tokens[^1].Kind != TokenKind.Text)
            return;
        var last = tokens[^1];
        tokens[^1] = last with { Value = last.Value.TrimEnd() };
    }

    void SkipWhitespace()
    {
        while (pos < src.Length && char.IsWhiteSpace(src[pos]))
            pos++;
    }

    /// <summary>Reads one token inside a tag; returns false once the tag closed.</summary>
    bool ReadInsideTag()
    {
        SkipWhitespace();
        if (pos >= src.Length)
            return true;
        int line = source.LineAt(pos);
        if (TryClose("%}", TokenKind.BlockEnd, line) || (braces == 0 && TryClose("}}", TokenKind.VarEnd, line)))
            return false;
        char c = src[pos];
        if (c is '\'' or '"')
        {
            tokens.Add(new Token(TokenKind.String, ReadString(c), line));
        }
        else if (char.IsAsciiDigit(c))
        {
            ReadNumber(line);
        }
        else if (char.IsAsciiLetter(c) || c == '_')
        {
            int start = pos;
            while (pos < src.Length && (char.IsAsciiLetterOrDigit(src[pos]) || src[pos] == '_'))
                pos++;
            tokens.Add(new Token(TokenKind.Name, src[start..pos], line));
        }
        else
        {
            ReadSymbol(line);
        }
        return true;
    }

    bool TryClose(string close, TokenKind kind, int line)
    {
        bool strip = src[pos] == '-' && string.CompareOrdinal(src, pos + 1, close, 0, 2) == 0;
        if (!strip && string.CompareOrdinal(src, pos, close, 0, 2) != 0)
            return false;
        pos += strip ? 3 : 2;
        tokens.Add(new Token(kind, "", line));
        if (strip)
            SkipWhitespace();
        return true;
    }

    void ReadSymbol(int line)
    {
        foreach (var symbol in Symbols)
        {
            if (string.CompareOrdinal(src, pos, symbol, 0, symbol.Length) != 0)
                continue;
            braces +=
                symbol == "{" ? 1
                : symbol == "}" ? -1
                : 0;
            tokens.Add(new Token(TokenKind.Symbol, symbol, line));
            pos += symbol.Length;
            return;
        }
        throw Error($"unexpected character '{src[pos]}' inside a tag");
    }

    void ReadNumber(int line)
    {
        int start = pos;
        while (pos < src.Length && char.IsAsciiDigit(src[pos]))
            pos++;
        bool afterDot = tokens.Count > 0 && tokens[^1] is { Kind: TokenKind.Symbol, Value: "." };
        if (!afterDot && pos + 1 < src.Length && src[pos] == '.' && char.IsAsciiDigit(src[pos + 1]))
        {
            pos++;
            while (pos < src.Length && char.IsAsciiDigit(src[pos]))
                pos++;
            tokens.Add(new Token(TokenKind.Float, src[start..pos], line));
            return;
        }
        tokens.Add(new Token(TokenKind.Integer, src[start..pos], line));
    }

    string ReadString(char quote)
    {
        var text = new StringBuilder();
        pos++;
        while (true)
        {
            if (pos >= src.Length)
                throw Error("a string literal is never closed");
            char c = src[pos++];
            if (c == quote)
                return text.ToString();
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }
            if (pos >= src.Length)
                throw Error("a string literal ends in a backslash");
            text.Append(Escape(src[pos++]));
        }
    }

    string Escape(char e)
    {
        switch (e)
        {
            case 'n':
                return "\n";
            case 't':
                return "\t";
            case 'r':
                return "\r";
            case 'b':
                return "\b";
            case 'f':
                return "\f";
            case 'v':
                return "\v";
            case '\'' or '"' or '\\':
                return e.ToString();
            case 'x' or 'u':
                int n = e == 'x' ? 2 : 4;
                if (
                    pos + n > src.Length
                    || !int.TryParse(
                        src.AsSpan(pos, n),
                        System.Globalization.NumberStyles.HexNumber,
                        null,
                        out int code
                    )
                )
                {
                    throw Error($"the escape \\{e} needs {n} hexadecimal digits");
                }

                pos += n;
                return ((char)code).ToString();
            default:
                throw Error($"the escape \\{e} in a string literal is not supported");
        }
    }
}
