using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Ponder.Cli;

/// <summary>
/// What the parser itself checks, said in one line: numbers are read with the option and the value in the message
/// (System.CommandLine's own names the .NET type), seeds must be 0 or more, and a parse error is printed as one line
/// instead of System.CommandLine's errors followed by the whole help text.
/// </summary>
static class OptionParsing
{
    /// <summary>Options that seed random generators.</summary>
    static readonly string[] Seeds = ["--seed", "--task-seed"];

    /// <summary>Installs the number parsers and seed checks on every option of every command under
    /// <paramref name="root"/>.</summary>
    public static RootCommand Apply(RootCommand root)
    {
        foreach (var option in AllOptions(root))
        {
            InstallParser(option);
            if (Seeds.Contains(option.Name))
                option.Validators.Add(r => NotNegative(r, option));
        }
        return root;
    }

    /// <summary>The parse errors as one line, or null when there are none or when help was asked for (help is
    /// printed whatever else is missing).</summary>
    public static string? Error(ParseResult parsed)
    {
        if (parsed.Errors.Count == 0 || parsed.Action is not ParseErrorAction)
            return null;
        var words = new List<string>();
        for (var c = parsed.CommandResult; c is not null; c = c.Parent as CommandResult)
            words.Insert(0, c.Command is RootCommand ? "ponder" : c.Command.Name);
        var messages = parsed.Errors.Select(e => e.Message.TrimEnd('.') + ".").Distinct();
        string lists = words.Count == 1 ? "commands" : "options";
        return $"{string.Join(" ", messages)} ('{string.Join(' ', words)} --help' lists the {lists}.)";
    }

    static IEnumerable<Option> AllOptions(Command command) =>
        command.Options.Concat(command.Subcommands.SelectMany(AllOptions));

    static void InstallParser(Option option)
    {
        switch (option)
        {
            case Option<int> o:
                o.CustomParser = Number<int>;
                break;
            case Option<int?> o:
                o.CustomParser = r => Number<int>(r);
                break;
            case Option<long> o:
                o.CustomParser = Number<long>;
                break;
            case Option<long?> o:
                o.CustomParser = r => Number<long>(r);
                break;
            case Option<double> o:
                o.CustomParser = Number<double>;
                break;
            case Option<double?> o:
                o.CustomParser = r => Number<double>(r);
                break;
        }
    }

    /// <summary>The option's value read with the invariant culture; on failure an error naming the option, the value
    /// and what is expected.</summary>
    static T Number<T>(ArgumentResult r)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        if (r.Tokens.Count == 0)
            return default; // the parser reports the missing value itself
        string token = r.Tokens[^1].Value;
        bool whole = typeof(T) != typeof(double);
        var style = whole ? NumberStyles.Integer : NumberStyles.Float;
        if (T.TryParse(token, style, CultureInfo.InvariantCulture, out var value) && T.IsFinite(value))
            return value;
        string expected = whole ? $"a whole number from {T.MinValue} to {T.MaxValue}" : "a number, e.g. 0.5 or 1e-4";
        r.AddError($"{Name(r)} {token}: expected {expected}.");
        return default;
    }

    /// <summary>A seed below 0 is refused with the range, whatever the option's integer type.</summary>
    static void NotNegative(OptionResult r, Option option)
    {
        if (
            r.Tokens.Count > 0
            && long.TryParse(r.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)
            && v < 0
        )
        {
            long max = option.ValueType == typeof(int) ? int.MaxValue : long.MaxValue;
            r.AddError($"{option.Name} {v}: use 0 to {max}.");
        }
    }

    static string Name(ArgumentResult r) => r.Parent is OptionResult o ? o.Option.Name : r.Argument.Name;
}
