using System.Globalization;

namespace Ponder.Text.Jinja;

/// <summary>The expression half of the parser, one method per precedence level, loosest first.</summary>
sealed partial class JinjaParser
{
    static readonly string[] Comparisons = ["==", "!=", "<", ">", "<=", ">="];

    Expr ParseExpression()
    {
        var value = ParseOr();
        if (!IsName("if"))
            return value;
        int line = Next().Line;
        var test = ParseOr();
        if (!IsName("else"))
            return new Conditional(test, value, null, line);
        pos++;
        return new Conditional(test, value, ParseExpression(), line);
    }

    /// <summary>An expression, or several separated by commas (a tuple).</summary>
    Expr ParseTupleOrExpression()
    {
        var first = ParseExpression();
        if (!IsSymbol(","))
            return first;
        var items = new List<Expr> { first };
        while (IsSymbol(","))
        {
            pos++;
            if (IsSymbol(")") || Peek?.Kind == TokenKind.BlockEnd)
                break;
            items.Add(ParseExpression());
        }
        return new ListExpr(items, IsTuple: true, first.Line);
    }

    Expr ParseOr()
    {
        var left = ParseAnd();
        while (IsName("or"))
        {
            int line = Next().Line;
            left = new Binary("or", left, ParseAnd(), line);
        }
        return left;
    }

    Expr ParseAnd()
    {
        var left = ParseNot();
        while (IsName("and"))
        {
            int line = Next().Line;
            left = new Binary("and", left, ParseNot(), line);
        }
        return left;
    }

    Expr ParseNot()
    {
        if (!IsName("not"))
            return ParseComparison();
        int line = Next().Line;
        return new Unary("not", ParseNot(), line);
    }

    Expr ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            string op;
            if (IsName("not") && IsNameAt(1, "in"))
            {
                op = "not in";
                pos += 2;
            }
            else if (IsName("in"))
            {
                op = "in";
                pos++;
            }
            else if (Peek is { Kind: TokenKind.Symbol } t && Comparisons.Contains(t.Value))
            {
                op = t.Value;
                pos++;
            }
            else
            {
                return left;
            }
            left = new Binary(op, left, ParseAdditive(), left.Line);
        }
    }

    Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (IsSymbol("+") || IsSymbol("-") || IsSymbol("~"))
        {
            var op = Next();
            left = new Binary(op.Value, left, ParseMultiplicative(), op.Line);
        }
        return left;
    }

    Expr ParseMultiplicative()
    {
        var left = ParsePower();
        while (IsSymbol("*") || IsSymbol("/") || IsSymbol("//") || IsSymbol("%"))
        {
            var op = Next();
            left = new Binary(op.Value, left, ParsePower(), op.Line);
        }
        return left;
    }

    Expr ParsePower()
    {
        var left = ParseTest();
        while (IsSymbol("**"))
        {
            var op = Next();
            left = new Binary("**", left, ParseTest(), op.Line);
        }
        return left;
    }

    Expr ParseTest()
    {
        var operand = ParseFilter();
        while (IsName("is"))
        {
            int line = Next().Line;
            bool negate = IsName("not");
            if (negate)
                pos++;
            string name = ExpectIdentifier();
            var args = IsSymbol("(") ? ParseArguments() : new Arguments([], []);
            if (args.Positional.Count == 0 && StartsTestArgument())
                args = new Arguments([ParseUnary()], []);
            operand = new Test(operand, name, negate, args, line);
        }
        return operand;
    }

    /// <summary>Whether a bare test argument follows, as in <c>x is equalto 3</c> or <c>x is sameas y</c>.</summary>
    bool StartsTestArgument() =>
        Peek switch
        {
            { Kind: TokenKind.String or TokenKind.Integer or TokenKind.Float } => true,
            { Kind: TokenKind.Name } t => t.Value is not ("and" or "or" or "else" or "if" or "in" or "not" or "is"),
            _ => false,
        };

    Expr ParseFilter()
    {
        var operand = ParseUnary();
        while (IsSymbol("|"))
        {
            int line = Next().Line;
            string name = ExpectIdentifier();
            var args = IsSymbol("(") ? ParseArguments() : new Arguments([], []);
            operand = new Filter(operand, name, args, line);
        }
        return operand;
    }

    Expr ParseUnary()
    {
        if (!IsSymbol("-") && !IsSymbol("+"))
            return ParsePostfix();
        var op = Next();
        return new Unary(op.Value, ParseUnary(), op.Line);
    }

    Expr ParsePostfix()
    {
        var target = ParsePrimary();
        while (true)
        {
            if (IsSymbol("."))
            {
                var dot = Next();
                var attr = Next();
                target = attr.Kind switch
                {
                    TokenKind.Name => new Attribute(target, attr.Value, dot.Line),
                    TokenKind.Integer => new Index(
                        target,
                        new Literal(long.Parse(attr.Value, CultureInfo.InvariantCulture), dot.Line),
                        dot.Line
                    ),
                    _ => throw Error(dot.Line, $"expected a name after '.', found {Describe(attr)}"),
                };
            }
            else if (IsSymbol("["))
            {
                target = ParseSubscript(target, Next().Line);
            }
            else if (IsSymbol("("))
            {
                target = new Call(target, ParseArguments(), target.Line);
            }
            else
            {
                return target;
            }
        }
    }

    Expr ParseSubscript(Expr target, int line)
    {
        var parts = new Expr?[3];
        int part = 0;
        bool slice = false;
        while (!IsSymbol("]"))
        {
            if (IsSymbol(":"))
            {
                pos++;
                slice = true;
                if (++part > 2)
                    throw Error(line, "a slice has at most three parts [start:stop:step]");
                continue;
            }
            parts[part] = ParseExpression();
        }
        pos++;
        if (slice)
            return new Slice(target, parts[0], parts[1], parts[2], line);
        return parts[0] is { } key ? new Index(target, key, line) : throw Error(line, "empty subscript []");
    }

    Arguments ParseArguments()
    {
        ExpectSymbol("(");
        var positional = new List<Expr>();
        var keyword = new List<(string, Expr)>();
        while (!IsSymbol(")"))
        {
            if (
                Peek is { Kind: TokenKind.Name } name
                && pos + 1 < tokens.Count
                && tokens[pos + 1] is { Kind: TokenKind.Symbol, Value: "=" }
            )
            {
                pos += 2;
                keyword.Add((name.Value, ParseExpression()));
            }
            else
            {
                positional.Add(ParseExpression());
            }
            if (IsSymbol(","))
            {
                pos++;
            }
            else if (!IsSymbol(")"))
            {
                throw Error(
                    $"expected ',' or ')' in an argument list, found {(Peek is { } t ? Describe(t) : "the end")}"
                );
            }
        }
        pos++;
        return new Arguments(positional, keyword);
    }

    Expr ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.String:
                string text = token.Value;
                while (Peek is { Kind: TokenKind.String } more)
                {
                    text += more.Value;
                    pos++;
                }
                return new Literal(JinjaString.Trusted(text), token.Line);
            case TokenKind.Integer:
                return new Literal(long.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case TokenKind.Float:
                return new Literal(double.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case TokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new Literal(true, token.Line),
                    "false" or "False" => new Literal(false, token.Line),
                    "none" or "None" => new Literal(null, token.Line),
                    _ => new Name(token.Value, token.Line),
                };
            case TokenKind.Symbol when token.Value == "(":
                var inner = IsSymbol(")") ? new ListExpr([], IsTuple: true, token.Line) : ParseTupleOrExpression();
                ExpectSymbol(")");
                return inner;
            case TokenKind.Symbol when token.Value == "[":
                return new ListExpr(ParseSequence("]"), IsTuple: false, token.Line);
            case TokenKind.Symbol when token.Value == "{":
                return ParseDict(token.Line);
            default:
                throw Error(token.Line, $"unexpected {Describe(token)} in an expression");
        }
    }

    List<Expr> ParseSequence(string close)
    {
        var items = new List<Expr>();
        while (!IsSymbol(close))
        {
            items.Add(ParseExpression());
            if (IsSymbol(","))
                pos++;
            else if (!IsSymbol(close))
                throw Error($"expected ',' or '{close}' in a list");
        }
        pos++;
        return items;
    }

    DictExpr ParseDict(int line)
    {
        var items = new List<(Expr, Expr)>();
        while (!IsSymbol("}"))
        {
            var key = ParseExpression();
            ExpectSymbol(":");
            items.Add((key, ParseExpression()));
            if (IsSymbol(","))
                pos++;
            else if (!IsSymbol("}"))
                throw Error(line, "expected ',' or '}' in a dict literal");
        }
        pos++;
        return new DictExpr(items, line);
    }
}
