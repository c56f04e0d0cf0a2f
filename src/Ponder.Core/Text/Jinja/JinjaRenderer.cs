namespace Ponder.Text.Jinja;

/// <summary>An error raised while rendering, before the line of the node that caused it is known.</summary>
sealed class JinjaError(string message) : Exception(message);

/// <summary>Variables visible at a point of the template: a dictionary per scope, chained to the enclosing one.
/// <c>for</c> bodies and macros open a scope; <c>if</c> does not (as in Jinja).</summary>
sealed class Scope(Scope? parent)
{
    readonly Scope? parent = parent;
    readonly Dictionary<string, object?> variables = new(StringComparer.Ordinal);

    public object? Lookup(string name)
    {
        for (var scope = this; scope is not null; scope = scope.parent)
        {
            if (scope.variables.TryGetValue(name, out var value))
                return value;
        }
        return Undefined.Value;
    }

    public void Set(string name, object? value) => variables[name] = value;
}

/// <summary>Executes statements, writing into one output with its trust marks.</summary>
sealed partial class JinjaRenderer
{
    enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    readonly TimeProvider clock;

    public JinjaRenderer(TimeProvider clock) => this.clock = clock;

    public JinjaString Render(IReadOnlyList<Stmt> program, IReadOnlyDictionary<string, object?> variables)
    {
        var globals = new Scope(null);
        foreach (var (name, function) in Globals())
            globals.Set(name, function);
        var scope = new Scope(globals);
        foreach (var (name, value) in variables)
            scope.Set(name, value);
        var output = new JinjaStringBuilder();
        if (RenderBody(program, scope, output) != Flow.Normal)
            throw new PonderException("chat template: '{% break %}' or '{% continue %}' outside a loop");
        return output.Build();
    }

    JinjaString RenderToString(IReadOnlyList<Stmt> body, Scope scope)
    {
        var output = new JinjaStringBuilder();
        RenderBody(body, scope, output);
        return output.Build();
    }

    Flow RenderBody(IReadOnlyList<Stmt> body, Scope scope, JinjaStringBuilder output)
    {
        foreach (var stmt in body)
        {
            var flow = RenderStatement(stmt, scope, output);
            if (flow != Flow.Normal)
                return flow;
        }
        return Flow.Normal;
    }

    Flow RenderStatement(Stmt stmt, Scope scope, JinjaStringBuilder output)
    {
        switch (stmt)
        {
            case TextStmt text:
                output.AppendTrusted(text.Text);
                return Flow.Normal;
            case Output o:
                output.Append(JinjaValues.Print(Eval(o.Value, scope)));
                return Flow.Normal;
            case If i:
                return RenderBody(JinjaValues.Truthy(Eval(i.Condition, scope)) ? i.Body : i.Else, scope, output);
            case For f:
                return RenderFor(f, scope, output);
            case Set s:
                Assign(s, scope);
                return Flow.Normal;
            case Macro m:
                scope.Set(m.MacroName, MakeMacro(m.MacroName, m.Params, m.Body, scope, caller: null));
                return Flow.Normal;
            case CallBlock c:
                var caller = MakeMacro("caller", c.CallerParams, c.Body, scope, caller: null);
                output.Append(JinjaValues.Print(CallWithCaller(c.Call, scope, caller)));
                return Flow.Normal;
            case FilterBlock fb:
                var rendered = RenderToString(fb.Body, scope);
                output.Append(
                    JinjaValues.Print(At(fb.Line, () => ApplyFilter(fb.FilterName, rendered, fb.Args, scope)))
                );
                return Flow.Normal;
            case Break:
                return Flow.Break;
            case Continue:
                return Flow.Continue;
            default:
                throw new PonderException(
                    $"chat template line {stmt.Line}: unsupported statement {stmt.GetType().Name}"
                );
        }
    }

    Flow RenderFor(For f, Scope scope, JinjaStringBuilder output)
    {
        var source = Eval(f.Iterable, scope);
        var items = At(f.Line, () => Iterate(source)).ToList();
        var loopScope = new Scope(scope);
        if (f.Condition is not null)
        {
            items = items
                .Where(item =>
                {
                    Bind(f, item, loopScope);
                    return JinjaValues.Truthy(Eval(f.Condition, loopScope));
                })
                .ToList();
        }
        for (int i = 0; i < items.Count; i++)
        {
            loopScope.Set("loop", LoopInfo(items, i));
            Bind(f, items[i], loopScope);
            if (RenderBody(f.Body, loopScope, output) == Flow.Break)
                break;
        }
        if (items.Count == 0)
            RenderBody(f.Else, loopScope, output);
        return Flow.Normal;
    }

    static void Bind(For f, object? item, Scope scope)
    {
        if (f.Targets.Count == 1)
        {
            scope.Set(f.Targets[0], item);
            return;
        }
        if (item is not List<object?> parts || parts.Count != f.Targets.Count)
        {
            throw new PonderException(
                $"chat template line {f.Line}: cannot unpack {JinjaValues.TypeName(item)} into "
                    + $"{f.Targets.Count} loop variables"
            );
        }
        for (int k = 0; k < parts.Count; k++)
            scope.Set(f.Targets[k], parts[k]);
    }

    static OrderedDictionary<string, object?> LoopInfo(List<object?> items, int i) =>
        new(StringComparer.Ordinal)
        {
            ["index"] = (long)i + 1,
            ["index0"] = (long)i,
            ["revindex"] = (long)(items.Count - i),
            ["revindex0"] = (long)(items.Count - i - 1),
            ["first"] = i == 0,
            ["last"] = i == items.Count - 1,
            ["length"] = (long)items.Count,
            ["previtem"] = i > 0 ? items[i - 1] : Undefined.Value,
            ["nextitem"] = i < items.Count - 1 ? items[i + 1] : Undefined.Value,
        };

    /// <summary>The items a <c>for</c> loop visits: a list's items, a dict's keys, a string's characters.</summary>
    internal static IEnumerable<object?> Iterate(object? value) =>
        value switch
        {
            List<object?> list => list.ToList(),
            OrderedDictionary<string, object?> dict => dict
                .Keys.Select(k => (object?)JinjaString.Untrusted(k))
                .ToList(),
            JinjaString s => Enumerable.Range(0, s.Value.Length).Select(i => (object?)s.Substring(i, 1)).ToList(),
            Undefined => [],
            _ => throw new JinjaError($"cannot iterate over {JinjaValues.TypeName(value)}"),
        };

    void Assign(Set s, Scope scope)
    {
        object? value = s.Value is null ? RenderToString(s.Body, scope) : Eval(s.Value, scope);
        switch (s.Target)
        {
            case Name n:
                scope.Set(n.Id, value);
                break;
            case ListExpr { Items: var names }:
                var parts = value as List<object?>;
                if (parts is null || parts.Count != names.Count || names.Any(x => x is not Name))
                {
                    throw new PonderException(
                        $"chat template line {s.Line}: cannot unpack {JinjaValues.TypeName(value)} in set"
                    );
                }

                for (int k = 0; k < names.Count; k++)
                    scope.Set(((Name)names[k]).Id, parts[k]);
                break;
            case Attribute a when Eval(a.Target, scope) is JinjaNamespace ns:
                ns.Attributes[a.Attr] = value;
                break;
            default:
                throw new PonderException(
                    $"chat template line {s.Line}: only names and namespace attributes (ns.x) can be assigned"
                );
        }
    }

    JinjaFunction MakeMacro(
        string name,
        IReadOnlyList<MacroParam> parameters,
        IReadOnlyList<Stmt> body,
        Scope defined,
        JinjaFunction? caller
    ) =>
        new(
            name,
            args =>
            {
                var local = new Scope(defined);
                var callerArg = args.Keyword.GetValueOrDefault("caller") as JinjaFunction;
                for (int i = 0; i < parameters.Count; i++)
                {
                    var p = parameters[i];
                    object? value = args.Get(i, p.Name, Undefined.Value);
                    if (value is Undefined && p.Default is not null)
                        value = Eval(p.Default, local);
                    local.Set(p.Name, value);
                }
                local.Set("varargs", args.Positional.Skip(parameters.Count).ToList());
                if ((callerArg ?? caller) is { } c)
                    local.Set("caller", c);
                return RenderToString(body, local);
            }
        );

    object? CallWithCaller(Call call, Scope scope, JinjaFunction caller)
    {
        var function =
            Eval(call.Callee, scope) as JinjaFunction
            ?? throw new PonderException($"chat template line {call.Line}: '{{% call %}}' needs a macro");
        var args = EvalArguments(call.Args, scope);
        var keyword = new Dictionary<string, object?>(args.Keyword) { ["caller"] = caller };
        return At(call.Line, () => function.Invoke(new JinjaArgs(args.Positional, keyword)));
    }

    /// <summary>Runs <paramref name="action"/>, giving any error it raises the template line.</summary>
    static T At<T>(int line, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (JinjaError e)
        {
            throw new PonderException($"chat template line {line}: {e.Message}", e);
        }
    }
}
