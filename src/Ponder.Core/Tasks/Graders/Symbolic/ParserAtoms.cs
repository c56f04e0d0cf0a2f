namespace Ponder.Tasks.Graders.Symbolic;

/// <summary>The atoms of <see cref="Parser"/>: numbers, letters, text, brackets, sets, matrices and commands.</summary>
sealed partial class Parser
{
    static readonly HashSet<string> Functions =
    [
        "sin",
        "cos",
        "tan",
        "sec",
        "csc",
        "cot",
        "arcsin",
        "arccos",
        "arctan",
        "sinh",
        "cosh",
        "tanh",
        "exp",
        "ln",
        "log",
    ];

    static readonly HashSet<string> Greek =
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "varepsilon",
        "zeta",
        "eta",
        "theta",
        "vartheta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "varphi",
        "chi",
        "psi",
        "omega",
        "Gamma",
        "Delta",
        "Theta",
        "Lambda",
        "Xi",
        "Sigma",
        "Phi",
        "Psi",
        "Omega",
    ];

    /// <summary>Commands that never start a factor (operators, relations, closers).</summary>
    static readonly HashSet<string> NotFactors =
    [
        "cdot",
        "times",
        "div",
        "ast",
        "pm",
        "mp",
        "le",
        "leq",
        "leqslant",
        "ge",
        "geq",
        "geqslant",
        "lt",
        "gt",
        "ne",
        "neq",
        "approx",
        "in",
        "cup",
        "rfloor",
        "rceil",
        "circ",
        "prime",
    ];

    /// <summary>Letters read as a function when followed by a parenthesis: f(x) is a function, x(x+1) a
    /// product.</summary>
    const string FunctionLetters = "fghFGHPQW";

    bool StartsFactor(Token t) =>
        t.Kind switch
        {
            TokenKind.Number or TokenKind.Letter or TokenKind.Text or TokenKind.Begin => true,
            TokenKind.Command => !NotFactors.Contains(t.Value) && !RelationOps.ContainsKey(t.Value),
            TokenKind.Punct => t.Value is "(" or "{" or @"\{" || (t.Value == "|" && absDepth == 0),
            _ => false,
        };

    Node Primary()
    {
        Enter();
        var t = Take();
        var node = t.Kind switch
        {
            TokenKind.Number => NumberAtom(t.Value),
            TokenKind.Letter => LetterAtom(t.Value),
            TokenKind.Text => TextAtom(t.Value),
            TokenKind.Command => CommandAtom(t.Value),
            TokenKind.Begin => MatrixAtom(t.Value),
            TokenKind.Punct when t.Value is "(" or "[" => Bracketed(t.Value[0]),
            TokenKind.Punct when t.Value == "{" => Braced(),
            TokenKind.Punct when t.Value == @"\{" => SetAtom(),
            TokenKind.Punct when t.Value == "|" => AbsAtom(),
            _ => throw new ParseFailure(),
        };
        depth--;
        return node;
    }

    Node NumberAtom(string text)
    {
        if (Peek.IsPunct("_") && !text.Contains('.'))
        {
            Take();
            return new Numeral(text, Subscript());
        }
        return Rational.TryParseDecimal(text, out var value)
            ? new Num(value, text.Contains('.'))
            : throw new ParseFailure();
    }

    Node LetterAtom(string letter)
    {
        var name = letter;
        if (Peek.IsPunct("_"))
        {
            Take();
            name = letter + "_" + Subscript();
        }
        if (name.Length == 1 && FunctionLetters.Contains(letter[0]) && Peek.IsPunct("("))
        {
            Take();
            var args = List();
            Expect(")");
            return new Func("fn:" + letter, args is Seq { Kind: SeqKind.List } s ? s.Items : [args]);
        }
        return name switch
        {
            "e" => Const.E,
            "i" => Const.I,
            _ => new Sym(name),
        };
    }

    /// <summary>The text of a subscript: a braced group spelled out (<c>{37}</c> → <c>37</c>) or one token.</summary>
    string Subscript()
    {
        if (!Peek.IsPunct("{"))
            return Lexer.Spell([Take()]);
        Take();
        var start = pos;
        var level = 1;
        while (Peek.Kind != TokenKind.EndOfInput)
        {
            var t = Take();
            level +=
                t.IsPunct("{") ? 1
                : t.IsPunct("}") ? -1
                : 0;
            if (level == 0)
                return Lexer.Spell(tokens.GetRange(start, pos - 1 - start));
        }
        throw new ParseFailure();
    }

    static Node TextAtom(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length >= 3 && trimmed[0] == '(' && trimmed[^1] == ')' && trimmed.Length == 3)
            trimmed = trimmed[1..^1]; // \text{(C)}: a choice letter
        if (trimmed.Length == 0)
            throw new ParseFailure();
        if (Rational.TryParseDecimal(trimmed, out var value))
            return new Num(value, trimmed.Contains('.'));
        if (trimmed.Length == 1 && char.IsAsciiLetter(trimmed[0]))
        {
            return trimmed switch
            {
                "e" => Const.E,
                "i" => Const.I,
                _ => new Sym(trimmed),
            };
        }

        return new Phrase(trimmed);
    }

    Node CommandAtom(string name)
    {
        switch (name)
        {
            case "frac" or "dfrac" or "tfrac" or "cfrac":
                var top = Argument();
                return new Mul([top, new Pow(Argument(), Num.Of(-1))]);
            case "binom" or "dbinom" or "tbinom":
                return new Func("binom", [Argument(), Argument()]);
            case "sqrt":
                return Root();
            case "pi":
                return Const.Pi;
            case "infty" or "infinity":
                return Const.Infinity;
            case "imath":
                return Const.I;
            case "emptyset" or "varnothing":
                return new Seq(SeqKind.Set, []);
            case "lfloor" or "lceil":
                return Enclosed(name == "lfloor" ? "floor" : "ceil", name == "lfloor" ? "rfloor" : "rceil");
            case "sum" or "prod":
                return Series(name);
        }
        if (Functions.Contains(name))
            return FunctionCall(name);
        if (Greek.Contains(name))
            return LetterAtom("\\" + name);
        throw new ParseFailure();
    }

    /// <summary>A command argument: a braced group, else one token (<c>\frac12</c>: 1 then 2).</summary>
    Node Argument()
    {
        if (Peek.IsPunct("{"))
        {
            Take();
            var node = List();
            Expect("}");
            return node;
        }
        if (Peek.Kind == TokenKind.Number && Peek.Value.Length > 1 && !Peek.Value.Contains('.'))
            return SplitFirstDigit();
        return Primary();
    }

    /// <summary>The first digit of the number token at hand; the rest stays as the next token (LaTeX's
    /// <c>x^23</c> is <c>x^2·3</c>).</summary>
    Num SplitFirstDigit()
    {
        var text = Peek.Value;
        tokens[pos] = new Token(TokenKind.Number, text[1..]);
        return Num.Of(text[0] - '0');
    }

    Node Root()
    {
        Node index = Num.Of(2);
        if (Peek.IsPunct("["))
        {
            Take();
            index = List();
            Expect("]");
        }
        return new Pow(Argument(), new Pow(index, Num.Of(-1)));
    }

    Node Enclosed(string function, string close)
    {
        var inner = Sum();
        if (!Take().IsCommand(close))
            throw new ParseFailure();
        return new Func(function, [inner]);
    }

    /// <summary><c>\sum_{k=1}^{n} body</c>: kept opaque (bounds as text), so it equals only the same sum.</summary>
    Node Series(string name)
    {
        string lower = "",
            upper = "";
        for (var i = 0; i < 2; i++)
        {
            if (Peek.IsPunct("_"))
            {
                Take();
                lower = Subscript();
            }
            else if (Peek.IsPunct("^"))
            {
                Take();
                upper = Subscript();
            }
        }
        return new Func(name, [new Phrase(lower), new Phrase(upper), Product()]);
    }

    /// <summary>A function: <c>\sin x</c>, <c>\sin^2(x)</c>, <c>\log_2 8</c>, <c>\ln(x+1)</c>. Without
    /// parentheses the argument is the product that follows, up to the next function or operator.</summary>
    Node FunctionCall(string name)
    {
        Node? logBase = null,
            power = null;
        if (name == "log" && Peek.IsPunct("_"))
        {
            Take();
            logBase = Argument();
        }
        if (Peek.IsPunct("^"))
        {
            Take();
            power = Exponent();
        }
        Node argument;
        if (Peek.IsPunct("("))
        {
            Take();
            argument = List();
            Expect(")");
        }
        else
        {
            argument = BareArgument();
        }
        var canonical = name switch
        {
            "ln" => "log",
            "arcsin" => "asin",
            "arccos" => "acos",
            "arctan" => "atan",
            _ => name,
        };
        Node call = logBase is null ? new Func(canonical, [argument]) : new Func("logb", [logBase, argument]);
        return power is null ? call : new Pow(call, power);
    }

    Node BareArgument()
    {
        var factors = new List<Node> { Postfix(Primary()) };
        while (StartsFactor(Peek) && !(Peek.Kind == TokenKind.Command && Functions.Contains(Peek.Value)))
            factors.Add(Postfix(Primary()));
        return factors.Count == 1 ? factors[0] : new Mul(factors);
    }

    /// <summary>The exponent after <c>^</c>; null for a degree sign (<c>90^\circ</c> is 90).</summary>
    Node? Exponent()
    {
        if (Peek.IsCommand("circ"))
        {
            Take();
            return null;
        }
        if (Peek.IsPunct("{"))
        {
            if (pos + 2 < tokens.Count && tokens[pos + 1].IsCommand("circ") && tokens[pos + 2].IsPunct("}"))
            {
                pos += 3;
                return null;
            }
            return Argument();
        }
        if (Peek.IsPunct("-") || Peek.IsPunct("("))
            return Signed();
        return Argument();
    }
}
