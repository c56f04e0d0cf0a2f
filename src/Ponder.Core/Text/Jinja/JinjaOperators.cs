namespace Ponder.Text.Jinja;

/// <summary>Binary operators and slicing with Python's semantics; strings keep their trust marks.</summary>
static class JinjaOperators
{
    public static object? Binary(string op, object? left, object? right)
    {
        switch (op)
        {
            case "==":
                return JinjaValues.AreEqual(left, right);
            case "!=":
                return !JinjaValues.AreEqual(left, right);
            case "in":
                return Contains(right, left);
            case "not in":
                return !Contains(right, left);
            case "~":
                return JinjaString.Concat(JinjaValues.Print(left), JinjaValues.Print(right));
        }
        return (left, right) switch
        {
            (long or double or bool, long or double or bool) => Arithmetic(op, left, right),
            (JinjaString a, JinjaString b) when op == "+" => JinjaString.Concat(a, b),
            (JinjaString a, JinjaString b) when op is "<" or ">" or "<=" or ">=" => Compare(
                op,
                string.CompareOrdinal(a.Value, b.Value)
            ),
            (List<object?> a, List<object?> b) when op == "+" => a.Concat(b).ToList(),
            (JinjaString s, long n) when op == "*" => JinjaString.Concat(Enumerable.Repeat(s, (int)Math.Max(0, n))),
            _ => throw new JinjaError(
                $"cannot apply '{op}' to {JinjaValues.TypeName(left)} and {JinjaValues.TypeName(right)}"
            ),
        };
    }

    static bool Contains(object? container, object? item) =>
        container switch
        {
            JinjaString s when item is JinjaString x => s.Value.Contains(x.Value, StringComparison.Ordinal),
            List<object?> list => list.Any(x => JinjaValues.AreEqual(x, item)),
            OrderedDictionary<string, object?> dict when item is JinjaString k => dict.ContainsKey(k.Value),
            JinjaNamespace ns when item is JinjaString k => ns.Attributes.ContainsKey(k.Value),
            Undefined => false,
            _ => throw new JinjaError(
                $"cannot test whether {JinjaValues.TypeName(item)} is in {JinjaValues.TypeName(container)}"
            ),
        };

    static bool Compare(string op, int sign) =>
        op switch
        {
            "<" => sign < 0,
            ">" => sign > 0,
            "<=" => sign <= 0,
            _ => sign >= 0,
        };

    static object Arithmetic(string op, object left, object right)
    {
        bool integers = left is long or bool && right is long or bool;
        double a = JinjaValues.ToDouble(left),
            b = JinjaValues.ToDouble(right);
        if (op is "<" or ">" or "<=" or ">=")
            return Compare(op, a.CompareTo(b));
        if (op is "/" or "//" or "%" && b == 0)
            throw new JinjaError("division by zero");
        if (integers)
        {
            long x = (long)a,
                y = (long)b;
            return op switch
            {
                "+" => (object)(x + y),
                "-" => x - y,
                "*" => x * y,
                "/" => a / b,
                "//" => (long)Math.Floor(a / b),
                "%" => ((x % y) + y) % y,
                "**" => y >= 0 ? (long)Math.Pow(x, y) : (object)Math.Pow(a, b),
                _ => throw new JinjaError($"unknown operator '{op}'"),
            };
        }
        return op switch
        {
            "+" => a + b,
            "-" => a - b,
            "*" => a * b,
            "/" => a / b,
            "//" => Math.Floor(a / b),
            "%" => a - (b * Math.Floor(a / b)),
            "**" => Math.Pow(a, b),
            _ => throw new JinjaError($"unknown operator '{op}'"),
        };
    }

    /// <summary>Python's <c>value[start:stop:step]</c> over a list or a string.</summary>
    public static object? Slice(object? value, object? start, object? stop, object? step)
    {
        long? Int(object? x, string what) =>
            x switch
            {
                null or Undefined => null,
                long n => n,
                _ => throw new JinjaError($"slice {what} must be an integer, not {JinjaValues.TypeName(x)}"),
            };
        int length = value switch
        {
            List<object?> list => list.Count,
            JinjaString s => s.Value.Length,
            _ => throw new JinjaError($"cannot slice {JinjaValues.TypeName(value)}"),
        };
        var indices = Indices(length, Int(start, "start"), Int(stop, "stop"), Int(step, "step") ?? 1);
        return value is List<object?> items
            ? indices.Select(i => items[i]).ToList()
            : ((JinjaString)value).Pick(indices);
    }

    static List<int> Indices(int length, long? start, long? stop, long step)
    {
        if (step == 0)
            throw new JinjaError("slice step cannot be zero");
        long Clamp(long i, long low, long high) => i < 0 ? Math.Max(i + length, low) : Math.Min(i, high);
        long from = step > 0 ? Clamp(start ?? 0, 0, length) : Clamp(start ?? length - 1, -1, length - 1);
        long to =
            step > 0 ? Clamp(stop ?? length, 0, length)
            : stop is null ? -1
            : Clamp(stop.Value, -1, length - 1);
        var result = new List<int>();
        for (long i = from; step > 0 ? i < to : i > to; i += step)
            result.Add((int)i);
        return result;
    }
}
