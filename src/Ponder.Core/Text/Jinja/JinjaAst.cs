namespace Ponder.Text.Jinja;

/// <summary>A node of a parsed template; <see cref="Line"/> is its line in the original template.</summary>
abstract record Node(int Line);

abstract record Expr(int Line) : Node(Line);

sealed record Literal(object? Value, int Line) : Expr(Line);

sealed record Name(string Id, int Line) : Expr(Line);

sealed record ListExpr(IReadOnlyList<Expr> Items, bool IsTuple, int Line) : Expr(Line);

sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Items, int Line) : Expr(Line);

/// <summary><c>obj.attr</c>.</summary>
sealed record Attribute(Expr Target, string Attr, int Line) : Expr(Line);

/// <summary><c>obj[key]</c>.</summary>
sealed record Index(Expr Target, Expr Key, int Line) : Expr(Line);

/// <summary><c>obj[start:stop:step]</c>.</summary>
sealed record Slice(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Line) : Expr(Line);

sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Keyword);

sealed record Call(Expr Callee, Arguments Args, int Line) : Expr(Line);

/// <summary><c>operand | name(args)</c>.</summary>
sealed record Filter(Expr Operand, string FilterName, Arguments Args, int Line) : Expr(Line);

/// <summary><c>operand is [not] name(args)</c>.</summary>
sealed record Test(Expr Operand, string TestName, bool Negate, Arguments Args, int Line) : Expr(Line);

sealed record Binary(string Op, Expr Left, Expr Right, int Line) : Expr(Line);

sealed record Unary(string Op, Expr Operand, int Line) : Expr(Line);

/// <summary><c>a if test else b</c>; without <c>else</c>, undefined when the test fails.</summary>
sealed record Conditional(Expr Test, Expr Then, Expr? Else, int Line) : Expr(Line);

abstract record Stmt(int Line) : Node(Line);

sealed record TextStmt(string Text, int Line) : Stmt(Line);

sealed record Output(Expr Value, int Line) : Stmt(Line);

sealed record If(Expr Condition, IReadOnlyList<Stmt> Body, IReadOnlyList<Stmt> Else, int Line) : Stmt(Line);

/// <summary><c>for targets in iterable [if condition]</c> … <c>[else]</c> … <c>endfor</c>.</summary>
sealed record For(
    IReadOnlyList<string> Targets,
    Expr Iterable,
    Expr? Condition,
    IReadOnlyList<Stmt> Body,
    IReadOnlyList<Stmt> Else,
    int Line
) : Stmt(Line);

/// <summary><c>set target = value</c> or the block form <c>set target</c> … <c>endset</c>.</summary>
sealed record Set(Expr Target, Expr? Value, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

sealed record MacroParam(string Name, Expr? Default);

sealed record Macro(string MacroName, IReadOnlyList<MacroParam> Params, IReadOnlyList<Stmt> Body, int Line)
    : Stmt(Line);

/// <summary><c>call(params) macro(args)</c> … <c>endcall</c>: the body becomes <c>caller()</c>.</summary>
sealed record CallBlock(Call Call, IReadOnlyList<MacroParam> CallerParams, IReadOnlyList<Stmt> Body, int Line)
    : Stmt(Line);

sealed record FilterBlock(string FilterName, Arguments Args, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);

sealed record Break(int Line) : Stmt(Line);

sealed record Continue(int Line) : Stmt(Line);
