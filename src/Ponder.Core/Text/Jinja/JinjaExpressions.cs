namespace Ponder.Text.Jinja;

/// <summary>Evaluation of expressions.</summary>
sealed partial class JinjaRenderer
{
    object? Eval(Expr expr, Scope scope) => At(expr.Line, () => EvalCore(expr, scope));

    object? EvalCore(Expr expr, Scope scope) =>
        expr switch
        {
            Literal l => l.Value,
            Name n => scope.Lookup(n.Id),
            ListExpr l => l.Items.Select(x => Eval(x, scope)).ToList(),
            DictExpr d => EvalDict(d, scope),
            Attribute a => GetAttribute(Eval(a.Target, scope), a.Attr),
            Index i => GetItem(Eval(i.Target, scope), Eval(i.Key, scope)),
            Slice s => JinjaOperators.Slice(
                Eval(s.Target, scope),
                EvalOptional(s.Start, scope),
                EvalOptional(s.Stop, scope),
                EvalOptional(s.Step, scope)
            ),
            Call c => EvalCall(c, scope),
            Filter f => ApplyFilter(f.FilterName, Eval(f.Operand, scope), f.Args, scope),
            Test t => RunTest(t, scope),
            Binary b => EvalBinary(b, scope),
            Unary u => EvalUnary(u, scope),
            Conditional c => JinjaValues.Truthy(Eval(c.Test, scope)) ? Eval(c.Then, scope)
            : c.Else is null ? Undefined.Value
            : Eval(c.Else, scope),
            _ => throw new JinjaError($"unsupported expression {expr.GetType().Name}"),
        };

    object? EvalOptional(Expr? expr, Scope scope) => expr is null ? null : Eval(expr, scope);

    OrderedDictionary<string, object?> EvalDict(DictExpr d, Scope scope)
    {
        var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in d.Items)
        {
            dict[Eval(key, scope) is JinjaString s ? s.Value : throw new JinjaError("dict keys must be strings")] =
                Eval(value, scope);
        }
        return dict;
    }

    object? EvalBinary(Binary b, Scope scope)
    {
        var left = Eval(b.Left, scope);
        return b.Op switch
        {
            "and" => JinjaValues.Truthy(left) ? Eval(b.Right, scope) : left,
            "or" => JinjaValues.Truthy(left) ? left : Eval(b.Right, scope),
            _ => JinjaOperators.Binary(b.Op, left, Eval(b.Right, scope)),
        };
    }

    object? EvalUnary(Unary u, Scope scope)
    {
        var value = Eval(u.Operand, scope);
        return (u.Op, value) switch
        {
            ("not", _) => !JinjaValues.Truthy(value),
            ("-", long n) => -n,
            ("-", double d) => -d,
            ("-", bool v) => v ? -1L : 0L,
            ("+", long or double) => value,
            ("+", bool v) => v ? 1L : 0L,
            _ => throw new JinjaError($"cannot apply unary '{u.Op}' to {JinjaValues.TypeName(value)}"),
        };
    }

    JinjaArgs EvalArguments(Arguments args, Scope scope)
    {
        var positional = args.Positional.Select(x => Eval(x, scope)).ToList();
        var keyword = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in args.Keyword)
            keyword[name] = Eval(value, scope);
        return new JinjaArgs(positional, keyword);
    }

    object? EvalCall(Call c, Scope scope)
    {
        var callee = Eval(c.Callee, scope);
        var args = EvalArguments(c.Args, scope);
        return callee switch
        {
            JinjaFunction f => f.Invoke(args),
            Undefined => throw new JinjaError($"'{Describe(c.Callee)}' is undefined, so it cannot be called"),
            _ => throw new JinjaError($"{JinjaValues.TypeName(callee)} is not callable"),
        };
    }

    static string Describe(Expr e) =>
        e switch
        {
            Name n => n.Id,
            Attribute a => Describe(a.Target) + "." + a.Attr,
            _ => "the expression",
        };

    /// <summary><c>value.name</c>: a dict key or method, a namespace attribute, a string method.</summary>
    static object? GetAttribute(object? value, string name) =>
        value switch
        {
            OrderedDictionary<string, object?> dict => dict.TryGetValue(name, out var item)
                ? item
                : (object?)JinjaMethods.ForDict(dict, name) ?? Undefined.Value,
            JinjaNamespace ns => ns.Attributes.TryGetValue(name, out var item) ? item : Undefined.Value,
            JinjaString s => (object?)JinjaMethods.ForString(s, name) ?? Undefined.Value,
            List<object?> list when name == "length" => (long)list.Count,
            _ => Undefined.Value,
        };

    /// <summary><c>value[key]</c>: a dict key, a list or string index (negative counts from the end).</summary>
    static object? GetItem(object? value, object? key) =>
        (value, key) switch
        {
            (OrderedDictionary<string, object?> dict, JinjaString k) => dict.TryGetValue(k.Value, out var item)
                ? item
                : (object?)JinjaMethods.ForDict(dict, k.Value) ?? Undefined.Value,
            (JinjaNamespace ns, JinjaString k) => ns.Attributes.TryGetValue(k.Value, out var item)
                ? item
                : Undefined.Value,
            (List<object?> list, long i) => i >= -list.Count && i < list.Count
                ? list[(int)(i < 0 ? i + list.Count : i)]
                : Undefined.Value,
            (JinjaString s, long i) => i >= -s.Value.Length && i < s.Value.Length
                ? s.Substring((int)(i < 0 ? i + s.Value.Length : i), 1)
                : Undefined.Value,
            (JinjaString s, JinjaString k) => (object?)JinjaMethods.ForString(s, k.Value) ?? Undefined.Value,
            (Undefined or null, _) => Undefined.Value,
            _ => throw new JinjaError($"cannot index {JinjaValues.TypeName(value)} with {JinjaValues.TypeName(key)}"),
        };
}
