namespace Ponder.Text.Jinja;

/// <summary>The tests (<c>value is name</c>) and the global functions templates call.</summary>
sealed partial class JinjaRenderer
{
    bool RunTest(Test t, Scope scope)
    {
        var value = Eval(t.Operand, scope);
        var args = EvalArguments(t.Args, scope);
        return RunNamedTest(t.TestName, value, args.Positional) != t.Negate;
    }

    static bool RunNamedTest(string name, object? value, IReadOnlyList<object?> args)
    {
        object? Arg() => args.Count > 0 ? args[0] : throw new JinjaError($"the test '{name}' needs an argument");
        return name switch
        {
            "defined" => value is not Undefined,
            "undefined" => value is Undefined,
            "none" => value is null,
            "string" => value is JinjaString,
            "mapping" => value is OrderedDictionary<string, object?>,
            "iterable" => value is JinjaString or List<object?> or OrderedDictionary<string, object?>,
            "sequence" => value is JinjaString or List<object?> or OrderedDictionary<string, object?>,
            "number" => value is long or double,
            "integer" => value is long,
            "float" => value is double,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "callable" => value is JinjaFunction,
            "odd" => value is long n ? n % 2 != 0 : throw new JinjaError("the test 'odd' needs an integer"),
            "even" => value is long m ? m % 2 == 0 : throw new JinjaError("the test 'even' needs an integer"),
            "lower" => value is JinjaString s
                && string.Equals(s.Value, s.Value.ToLowerInvariant(), StringComparison.Ordinal),
            "upper" => value is JinjaString u
                && string.Equals(u.Value, u.Value.ToUpperInvariant(), StringComparison.Ordinal),
            "equalto" or "eq" or "==" => JinjaValues.AreEqual(value, Arg()),
            "ne" or "!=" => !JinjaValues.AreEqual(value, Arg()),
            "gt" or ">" or "lt" or "<" or "ge" or ">=" or "le" or "<=" => Compare(name, value, Arg()),
            "in" => JinjaOperators.Binary("in", value, Arg()) is true,
            "sameas" => ReferenceEquals(value, Arg())
                || (value is null && Arg() is null)
                || (value is bool b && Arg() is bool c && b == c),
            "divisibleby" => value is long x && Arg() is long y && y != 0 && x % y == 0,
            _ => throw new JinjaError($"the test '{name}' is not supported by Ponder's Jinja interpreter"),
        };
    }

    static bool Compare(string name, object? a, object? b)
    {
        string op = name switch
        {
            "gt" => ">",
            "lt" => "<",
            "ge" => ">=",
            "le" => "<=",
            _ => name,
        };
        return JinjaOperators.Binary(op, a, b) is true;
    }

    IEnumerable<(string, JinjaFunction)> Globals()
    {
        yield return ("namespace", new JinjaFunction("namespace", Namespace));
        yield return ("raise_exception", new JinjaFunction("raise_exception", RaiseException));
        yield return ("strftime_now", new JinjaFunction("strftime_now", a => StrftimeNow(a)));
        yield return ("range", new JinjaFunction("range", Range));
    }

    static JinjaNamespace Namespace(JinjaArgs a)
    {
        var ns = new JinjaNamespace();
        if (a.Positional is [OrderedDictionary<string, object?> initial])
        {
            foreach (var (k, v) in initial)
                ns.Attributes[k] = v;
        }
        foreach (var (k, v) in a.Keyword)
            ns.Attributes[k] = v;
        return ns;
    }

    static object? RaiseException(JinjaArgs a) =>
        throw new JinjaError($"the template raised an error: {JinjaValues.Print(a.Get(0, "message")).Value}");

    JinjaString StrftimeNow(JinjaArgs a)
    {
        string format = a.Get(0, "format") is JinjaString f
            ? f.Value
            : throw new JinjaError("strftime_now needs a format string");
        return JinjaString.Trusted(Strftime.Format(clock.GetLocalNow().DateTime, format));
    }

    static List<object?> Range(JinjaArgs a)
    {
        var numbers = a
            .Positional.Select(x => x is long n ? n : throw new JinjaError("range() takes integers"))
            .ToList();
        (long start, long stop, long step) = numbers.Count switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw new JinjaError("range() takes 1 to 3 integers"),
        };
        if (step == 0)
            throw new JinjaError("range() step cannot be zero");
        var result = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
            result.Add(i);
        return result;
    }
}

/// <summary>Python's <c>strftime</c> for the directives chat templates use, in the invariant (English)
/// culture.</summary>
static class Strftime
{
    public static string Format(DateTime t, string format)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                text.Append(format[i]);
                continue;
            }
            char d = format[++i];
            text.Append(
                d switch
                {
                    'Y' => t.ToString("yyyy", Inv),
                    'y' => t.ToString("yy", Inv),
                    'm' => t.ToString("MM", Inv),
                    'd' => t.ToString("dd", Inv),
                    'e' => t.Day.ToString(Inv).PadLeft(2),
                    'b' or 'h' => t.ToString("MMM", Inv),
                    'B' => t.ToString("MMMM", Inv),
                    'a' => t.ToString("ddd", Inv),
                    'A' => t.ToString("dddd", Inv),
                    'H' => t.ToString("HH", Inv),
                    'I' => t.ToString("hh", Inv),
                    'M' => t.ToString("mm", Inv),
                    'S' => t.ToString("ss", Inv),
                    'p' => t.ToString("tt", Inv),
                    'j' => t.DayOfYear.ToString("000", Inv),
                    '%' => "%",
                    _ => "%" + d,
                }
            );
        }
        return text.ToString();
    }

    static System.Globalization.CultureInfo Inv => System.Globalization.CultureInfo.InvariantCulture;
}
