namespace Ponder.Text.Jinja;

/// <summary>
/// Parses tokens into statements. Operator precedence follows Jinja (and the @huggingface/jinja oracle): <c>if</c>
/// expressions, <c>or</c>, <c>and</c>, <c>not</c>, comparisons and <c>in</c>, <c>+ - ~</c>, <c>* / // %</c>,
/// <c>**</c>, tests (<c>is</c>), filters (<c>|</c>), unary signs, then attribute, index, slice and call.
/// </summary>
sealed partial class JinjaParser
{
    readonly List<Token> tokens;
    int pos;

    JinjaParser(List<Token> tokens) => this.tokens = tokens;

    public static IReadOnlyList<Stmt> Parse(List<Token> tokens)
    {
        var parser = new JinjaParser(tokens);
        var body = parser.ParseBody(out string? end);
        if (end is not null)
            throw Error(parser.tokens[parser.pos - 1].Line, $"'{{% {end} %}}' has no matching opening tag");
        return body;
    }

    static PonderException Error(int line, string what) => new($"chat template line {line}: {what}");

    PonderException Error(string what) => Error(Peek?.Line ?? LastLine, what);

    Token? Peek => pos < tokens.Count ? tokens[pos] : null;

    int LastLine => tokens.Count == 0 ? 1 : tokens[^1].Line;

    Token Next() => pos < tokens.Count ? tokens[pos++] : throw Error("the template ends in the middle of a tag");

    bool IsSymbol(string s) => Peek is { Kind: TokenKind.Symbol } t && t.Value == s;

    bool IsName(string s) => Peek is { Kind: TokenKind.Name } t && t.Value == s;

    bool IsNameAt(int offset, string s) =>
        pos + offset < tokens.Count && tokens[pos + offset] is { Kind: TokenKind.Name } t && t.Value == s;

    void Expect(TokenKind kind, string what)
    {
        var token = Next();
        if (token.Kind != kind)
            throw Error(token.Line, $"expected {what}, found {Describe(token)}");
    }

    void ExpectSymbol(string s)
    {
        var token = Next();
        if (token.Kind != TokenKind.Symbol || token.Value != s)
            throw Error(token.Line, $"expected '{s}', found {Describe(token)}");
    }

    void ExpectName(string s)
    {
        var token = Next();
        if (token.Kind != TokenKind.Name || token.Value != s)
            throw Error(token.Line, $"expected '{s}', found {Describe(token)}");
    }

    string ExpectIdentifier()
    {
        var token = Next();
        return token.Kind == TokenKind.Name
            ? token.Value
            : throw Error(token.Line, $"expected a name, found {Describe(token)}");
    }

    static string Describe(Token t) =>
        t.Kind switch
        {
            TokenKind.BlockEnd => "'%}'",
            TokenKind.VarEnd => "'}}'",
            TokenKind.BlockStart => "'{%'",
            TokenKind.VarStart => "'{{'",
            TokenKind.String => $"the string '{t.Value}'",
            _ => $"'{t.Value}'",
        };

    /// <summary>Statements up to the next <c>{% name %}</c> whose name is in <paramref name="ends"/>; that tag's
    /// "{%" and name are consumed and the name returned in <paramref name="end"/> (null at the end of the
    /// template).</summary>
    List<Stmt> ParseBody(out string? end, params string[] ends)
    {
        var body = new List<Stmt>();
        while (Peek is { } token)
        {
            switch (token.Kind)
            {
                case TokenKind.Text:
                    pos++;
                    if (token.Value.Length > 0)
                        body.Add(new TextStmt(token.Value, token.Line));
                    break;
                case TokenKind.VarStart:
                    pos++;
                    var value = ParseExpression();
                    Expect(TokenKind.VarEnd, "'}}'");
                    body.Add(new Output(value, token.Line));
                    break;
                case TokenKind.BlockStart:
                    if (
                        pos + 1 < tokens.Count
                        && tokens[pos + 1].Kind == TokenKind.Name
                        && ends.Contains(tokens[pos + 1].Value)
                    )
                    {
                        end = tokens[pos + 1].Value;
                        pos += 2;
                        return body;
                    }
                    pos++;
                    body.AddRange(ParseStatement(token.Line));
                    break;
                default:
                    throw Error(token.Line, $"unexpected {Describe(token)} outside a tag");
            }
        }
        end = null;
        return ends.Length == 0
            ? body
            : throw Error(LastLine, $"the template ends before '{{% {ends[^1]} %}}'; close the block");
    }

    List<Stmt> ParseBodyUntil(string end)
    {
        var body = ParseBody(out _, end);
        Expect(TokenKind.BlockEnd, "'%}'");
        return body;
    }

    IEnumerable<Stmt> ParseStatement(int line)
    {
        string keyword = ExpectIdentifier();
        switch (keyword)
        {
            case "if":
                return [ParseIf(line)];
            case "for":
                return [ParseFor(line)];
            case "set":
                return [ParseSet(line)];
            case "macro":
                return [ParseMacro(line)];
            case "call":
                return [ParseCallBlock(line)];
            case "filter":
                return [ParseFilterBlock(line)];
            case "break":
                Expect(TokenKind.BlockEnd, "'%}'");
                return [new Break(line)];
            case "continue":
                Expect(TokenKind.BlockEnd, "'%}'");
                return [new Continue(line)];
            case "generation":
                // transformers' marker of assistant text for training masks: renders its body unchanged.
                Expect(TokenKind.BlockEnd, "'%}'");
                return ParseBodyUntil("endgeneration");
            default:
                throw Error(line, $"the statement '{{% {keyword} %}}' is not supported by Ponder's Jinja interpreter");
        }
    }

    If ParseIf(int line)
    {
        var condition = ParseExpression();
        Expect(TokenKind.BlockEnd, "'%}'");
        var body = ParseBody(out string? end, "elif", "else", "endif");
        int elseLine = tokens[pos - 1].Line;
        switch (end)
        {
            case "elif":
                return new If(condition, body, [ParseIf(elseLine)], line);
            case "else":
                Expect(TokenKind.BlockEnd, "'%}'");
                var alternative = ParseBodyUntil("endif");
                return new If(condition, body, alternative, line);
            default:
                Expect(TokenKind.BlockEnd, "'%}'");
                return new If(condition, body, [], line);
        }
    }

    For ParseFor(int line)
    {
        var targets = new List<string> { ExpectIdentifier() };
        while (IsSymbol(","))
        {
            pos++;
            targets.Add(ExpectIdentifier());
        }
        ExpectName("in");
        var iterable = ParseOr();
        Expr? condition = null;
        if (IsName("if"))
        {
            pos++;
            condition = ParseOr();
        }
        Expect(TokenKind.BlockEnd, "'%}'");
        var body = ParseBody(out string? end, "else", "endfor");
        Expect(TokenKind.BlockEnd, "'%}'");
        var alternative = end == "else" ? ParseBodyUntil("endfor") : [];
        return new For(targets, iterable, condition, body, alternative, line);
    }

    Set ParseSet(int line)
    {
        var target = ParsePostfix();
        if (IsSymbol(","))
        {
            var names = new List<Expr> { target };
            while (IsSymbol(","))
            {
                pos++;
                names.Add(ParsePostfix());
            }
            target = new ListExpr(names, IsTuple: true, line);
        }
        if (IsSymbol("="))
        {
            pos++;
            var value = ParseTupleOrExpression();
            Expect(TokenKind.BlockEnd, "'%}'");
            return new Set(target, value, [], line);
        }
        Expect(TokenKind.BlockEnd, "'%}'");
        return new Set(target, null, ParseBodyUntil("endset"), line);
    }

    Macro ParseMacro(int line)
    {
        string name = ExpectIdentifier();
        var parameters = ParseParams();
        Expect(TokenKind.BlockEnd, "'%}'");
        return new Macro(name, parameters, ParseBodyUntil("endmacro"), line);
    }

    List<MacroParam> ParseParams()
    {
        var parameters = new List<MacroParam>();
        ExpectSymbol("(");
        while (!IsSymbol(")"))
        {
            string name = ExpectIdentifier();
            Expr? fallback = null;
            if (IsSymbol("="))
            {
                pos++;
                fallback = ParseExpression();
            }
            parameters.Add(new MacroParam(name, fallback));
            if (IsSymbol(","))
                pos++;
        }
        pos++;
        return parameters;
    }

    CallBlock ParseCallBlock(int line)
    {
        var callerParams = IsSymbol("(") ? ParseParams() : [];
        var call = ParsePostfix() as Call ?? throw Error(line, "'{% call %}' needs a macro call such as m(x)");
        Expect(TokenKind.BlockEnd, "'%}'");
        return new CallBlock(call, callerParams, ParseBodyUntil("endcall"), line);
    }

    FilterBlock ParseFilterBlock(int line)
    {
        string name = ExpectIdentifier();
        var args = IsSymbol("(") ? ParseArguments() : new Arguments([], []);
        Expect(TokenKind.BlockEnd, "'%}'");
        return new FilterBlock(name, args, ParseBodyUntil("endfilter"), line);
    }
}
