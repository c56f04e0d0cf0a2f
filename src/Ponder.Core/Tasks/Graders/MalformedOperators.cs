using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ponder.Tasks.Graders;

/// <summary>latex2sympy2_extended's fixes for operators written loosely (<c>\frac12</c>, <c>\sqrt3</c>,
/// <c>sqrt(2)</c>, <c>x^(2)</c>, a whole answer <c>3/4</c>), kept as they are so parsing agrees with
/// Math-Verify.</summary>
static partial class MalformedOperators
{
    public static string Fix(string text)
    {
        text = Power().Replace(text, "^{$1}");
        text = SqrtCall().Replace(text, @"\sqrt{$1}");
        text = FracDigits().Replace(text, @"\frac{$1}{$2}");
        text = LogDigits().Replace(text, @"\log_{$1}{$2}");
        text = FracBraceDigit().Replace(text, @"\frac{$1}{$2}");
        text = FracDigitBrace().Replace(text, @"\frac{$1}{$2}");
        text = SqrtDigit().Replace(text, @"\sqrt{$1}");
        text = text.Replace(" sqrt", @"\sqrt", StringComparison.Ordinal);
        return SlashFraction(Fracs(Sqrts(text)));
    }

    /// <summary>hendrycks' <c>_fix_sqrt</c>: <c>\sqrt3</c> → <c>\sqrt{3}</c>.</summary>
    static string Sqrts(string text)
    {
        if (!text.Contains(@"\sqrt", StringComparison.Ordinal))
            return text;
        var splits = text.Split(@"\sqrt");
        var result = new StringBuilder(splits[0]);
        foreach (var piece in splits.Skip(1))
        {
            var split = piece.TrimStart();
            if (split.Length > 0 && split[0] is not ('{' or '['))
                result.Append(@"\sqrt{").Append(split[0]).Append('}').Append(split, 1, split.Length - 1);
            else
                result.Append(@"\sqrt").Append(split);
        }
        return result.ToString();
    }

    /// <summary>hendrycks' <c>_fix_fracs</c>: <c>\frac12</c> → <c>\frac{1}{2}</c>, <c>\frac1{2}</c> →
    /// <c>\frac{1}{2}</c>.</summary>
    static string Fracs(string text)
    {
        var pieces = text.Split(@"\frac");
        var result = new StringBuilder(pieces[0]);
        foreach (var piece in pieces.Skip(1))
        {
            var sub = piece.TrimStart();
            result.Append(@"\frac");
            if (sub.Length > 0 && sub[0] == '{')
            {
                result.Append(sub);
                continue;
            }
            if (sub.Length < 2)
                return text;
            var (a, b, rest) = (sub[0], sub[1], sub[2..]);
            if (b != '{')
                result.Append('{').Append(a).Append("}{").Append(b).Append('}').Append(rest);
            else
                result.Append('{').Append(a).Append('}').Append(b).Append(rest);
        }
        return result.ToString();
    }

    /// <summary>hendrycks' <c>_fix_a_slash_b</c>: a whole answer <c>3/4</c> → <c>\frac{3}{4}</c>.</summary>
    static string SlashFraction(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2)
            return text;
        if (
            !int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var a)
            || !int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var b)
            || text != string.Create(CultureInfo.InvariantCulture, $"{a}/{b}")
        )
        {
            return text;
        }
        return string.Create(CultureInfo.InvariantCulture, $@"\frac{{{a}}}{{{b}}}");
    }

    [GeneratedRegex(@"\^\s?\((.*?)\)", RegexOptions.None, 200)]
    private static partial Regex Power();

    [GeneratedRegex(@"sqrt\s?\((.*?)\)", RegexOptions.None, 200)]
    private static partial Regex SqrtCall();

    [GeneratedRegex(@"\\frac\s?(\d)\s?(\d+)", RegexOptions.None, 200)]
    private static partial Regex FracDigits();

    [GeneratedRegex(@"\\log_\s?(\d)\s?(\d+)", RegexOptions.None, 200)]
    private static partial Regex LogDigits();

    [GeneratedRegex(@"\\frac\s?{(.*?)}\s?(\d)", RegexOptions.None, 200)]
    private static partial Regex FracBraceDigit();

    [GeneratedRegex(@"\\frac\s?(\d)\s?{(.*?)}", RegexOptions.None, 200)]
    private static partial Regex FracDigitBrace();

    [GeneratedRegex(@"\\sqrt\s?(\d)", RegexOptions.None, 200)]
    private static partial Regex SqrtDigit();
}
