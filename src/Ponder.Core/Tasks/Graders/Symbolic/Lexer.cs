using System.Text;

namespace Ponder.Tasks.Graders.Symbolic;

enum TokenKind
{
    Number,
    Letter,
    Command,
    Punct,
    Text,
    Begin,
    End,
    RowBreak,
    EndOfInput,
}

readonly record struct Token(TokenKind Kind, string Value)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsPunct(string value) => Is(TokenKind.Punct, value);

    public bool IsCommand(string value) => Is(TokenKind.Command, value);
}

/// <summary>Splits normalised LaTeX or plain math into tokens. Spacing and sizing commands vanish; text commands
/// become one <see cref="TokenKind.Text"/> token holding their argument; styling commands (<c>\mathbf</c>,
/// <c>\vec</c>) vanish and leave their braces as a group; Unicode operators map to their LaTeX names.</summary>
static class Lexer
{
    static readonly HashSet<string> Invisible =
    [
        "quad",
        "qquad",
        "displaystyle",
        "textstyle",
        "left",
        "right",
        "big",
        "Big",
        "bigg",
        "Bigg",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "biggl",
        "biggr",
        "middle",
        "limits",
        "nolimits",
        "mathstrut",
        "hphantom",
        "phantom",
        "enspace",
        "thinspace",
        "medspace",
        "thickspace",
        "negthinspace",
        "hfill",
        "mkern",
        "mskip",
        "cr",
        "label",
        "nonumber",
        "notag",
    ];

    static readonly HashSet<string> TextCommands =
    [
        "text",
        "textrm",
        "textbf",
        "textit",
        "textnormal",
        "textsf",
        "texttt",
        "mbox",
        "mathrm",
        "mathit",
        "mathsf",
        "mathtt",
        "operatorname",
        "textup",
        "emph",
    ];

    static readonly HashSet<string> Styles =
    [
        "mathbf",
        "boldsymbol",
        "bm",
        "mathbb",
        "vec",
        "overline",
        "hat",
        "bar",
        "widehat",
        "tilde",
        "widetilde",
        "mathcal",
        "mathscr",
        "mathfrak",
        "underline",
        "overrightarrow",
        "dot",
        "ddot",
        "pmb",
    ];

    static readonly string[] PlainFunctions =
    [
        "arcsin",
        "arccos",
        "arctan",
        "sinh",
        "cosh",
        "tanh",
        "sqrt",
        "sin",
        "cos",
        "tan",
        "sec",
        "csc",
        "cot",
        "log",
        "exp",
        "ln",
    ];

    /// <summary>The tokens of <paramref name="text"/>, ending with an end-of-input token.</summary>
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
            i = Next(text, i, tokens);
        tokens.Add(new Token(TokenKind.EndOfInput, ""));
        return tokens;
    }

    static int Next(string s, int i, List<Token> tokens)
    {
        var c = s[i];
        if (char.IsWhiteSpace(c) || c == '~')
            return i + 1;
        if (c == '\\')
            return Backslash(s, i, tokens);
        if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            return NumberAt(s, i, tokens);
        if (char.IsAsciiLetter(c))
            return LetterAt(s, i, tokens);
        return PunctAt(s, i, tokens);
    }

    static int NumberAt(string s, int i, List<Token> tokens)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
            i++;
        if (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
                i++;
        }
        tokens.Add(new Token(TokenKind.Number, s[start..i]));
        return i;
    }

    static int LetterAt(string s, int i, List<Token> tokens)
    {
        var alone = (i == 0 || !char.IsAsciiLetter(s[i - 1])) && (i + 2 >= s.Length || !char.IsAsciiLetter(s[i + 2]));
        if (alone && string.CompareOrdinal(s, i, "pi", 0, 2) == 0)
        {
            tokens.Add(new Token(TokenKind.Command, "pi")); // plain "pi", not p·i
            return i + 2;
        }
        foreach (var name in PlainFunctions)
        {
            if (string.CompareOrdinal(s, i, name, 0, name.Length) != 0)
                continue;
            var after = i + name.Length;
            if (after < s.Length && (s[after] == '(' || s[after] == ' ' || s[after] == '^'))
            {
                tokens.Add(new Token(TokenKind.Command, name));
                return after;
            }
        }
        tokens.Add(new Token(TokenKind.Letter, s[i].ToString()));
        return i + 1;
    }

    static int Backslash(string s, int i, List<Token> tokens)
    {
        if (i + 1 >= s.Length)
            return i + 1;
        var c = s[i + 1];
        if (c == '\\')
        {
            tokens.Add(new Token(TokenKind.RowBreak, @"\\"));
            return i + 2;
        }
        if (!char.IsAsciiLetter(c))
        {
            var punct = c switch
            {
                '{' => @"\{",
                '}' => @"\}",
                '%' => "%",
                '|' => "|",
                _ => null,
            };
            if (punct is not null)
                tokens.Add(new Token(TokenKind.Punct, punct));
            return i + 2;
        }
        var end = i + 1;
        while (end < s.Length && char.IsAsciiLetter(s[end]))
            end++;
        return Command(s, s[(i + 1)..end], end, tokens);
    }

    static int Command(string s, string name, int i, List<Token> tokens)
    {
        foreach (var space in new[] { "qquad", "quad" })
        {
            // "\quadx_2" is a space and then x_2.
            if (name.Length > space.Length && name.StartsWith(space, StringComparison.Ordinal))
                return i - (name.Length - space.Length);
        }
        if (Invisible.Contains(name))
            return name is "left" or "right" && i < s.Length && s[i] == '.' ? i + 1 : i;
        if (Styles.Contains(name))
            return i;
        if (TextCommands.Contains(name))
        {
            var (content, next) = BracedArgument(s, i);
            if (content is not null)
                tokens.Add(new Token(TokenKind.Text, content));
            return next;
        }
        if (name is "begin" or "end")
        {
            var (env, next) = BracedArgument(s, i);
            tokens.Add(new Token(name == "begin" ? TokenKind.Begin : TokenKind.End, env ?? ""));
            if (name == "begin" && env == "array")
                next = BracedArgument(s, next).Next; // the column spec {cc}
            return next;
        }
        tokens.Add(new Token(TokenKind.Command, name));
        return i;
    }

    /// <summary>The text of the braced group after <paramref name="i"/> (spaces skipped) and the index after it;
    /// (null, i) when there is none.</summary>
    static (string? Content, int Next) BracedArgument(string s, int i)
    {
        var j = i;
        while (j < s.Length && s[j] == ' ')
            j++;
        if (j >= s.Length || s[j] != '{')
            return (null, i);
        var close = Latex.MatchingBrace(s, j);
        return close < 0 ? (s[(j + 1)..], s.Length) : (s[(j + 1)..close], close + 1);
    }

    static int PunctAt(string s, int i, List<Token> tokens)
    {
        var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
        var mapped = two switch
        {
            "<=" => @"\le",
            ">=" => @"\ge",
            "!=" or "<>" => @"\ne",
            "==" => "=",
            "**" => "^",
            _ => null,
        };
        if (mapped is not null)
        {
            tokens.Add(Operator(mapped));
            return i + 2;
        }
        var single = Single(s[i]);
        if (single is not null)
            tokens.Add(Operator(single));
        else if (s[i] is '²' or '³')
            tokens.AddRange([new Token(TokenKind.Punct, "^"), new Token(TokenKind.Number, s[i] == '²' ? "2" : "3")]);
        else if (s[i] != '°')
            tokens.Add(new Token(TokenKind.Punct, s[i].ToString()));
        return i + 1;
    }

    static Token Operator(string value) =>
        value.StartsWith('\\') ? new Token(TokenKind.Command, value[1..]) : new Token(TokenKind.Punct, value);

    static string? Single(char c) =>
        c switch
        {
            '−' or '–' => "-",
            '×' or '·' or '⋅' or '∗' => "*",
            '÷' => "/",
            '≤' => @"\le",
            '≥' => @"\ge",
            '≠' => @"\ne",
            '±' => @"\pm",
            '∓' => @"\mp",
            'π' => @"\pi",
            '∞' => @"\infty",
            '√' => @"\sqrt",
            '∪' => @"\cup",
            _ => null,
        };

    /// <summary>The source text of tokens, for names built from subscripts (<c>a_{37}</c> → <c>a_37</c>).</summary>
    public static string Spell(IEnumerable<Token> tokens)
    {
        var text = new StringBuilder();
        foreach (var t in tokens)
            text.Append(t.Kind == TokenKind.Command ? "\\" + t.Value : t.Value);
        return text.ToString();
    }
}
