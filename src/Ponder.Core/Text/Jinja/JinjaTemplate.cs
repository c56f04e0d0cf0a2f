namespace Ponder.Text.Jinja;

/// <summary>
/// A chat template parsed once and rendered many times, as transformers renders <c>chat_template</c>: Jinja with
/// <c>trim_blocks</c> and <c>lstrip_blocks</c>, the globals <c>raise_exception</c>, <c>strftime_now</c>,
/// <c>namespace</c> and <c>range</c>. Rendering is pure given the variables and the clock.
/// <para>Where the @huggingface/jinja oracle departs from Python's Jinja, this follows Python (what transformers
/// runs): <c>strip</c>/<c>lstrip</c>/<c>rstrip</c> honour their characters argument, and <c>{{ none }}</c>,
/// booleans and lists print as Python prints them ("None", "True", "['a']"). The oracle's test conversations avoid
/// those cases; the interpreter's own tests pin them.</para>
/// </summary>
public sealed class JinjaTemplate
{
    readonly IReadOnlyList<Stmt> program;

    JinjaTemplate(string source, IReadOnlyList<Stmt> program)
    {
        Source = source;
        this.program = program;
    }

    /// <summary>The template text as given.</summary>
    public string Source { get; }

    /// <summary>Parses a template.</summary>
    /// <exception cref="PonderException">A syntax error or a construct the interpreter lacks, naming the template
    /// line.</exception>
    public static JinjaTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tokens = JinjaLexer.Tokenize(JinjaSource.Prepare(source));
        return new JinjaTemplate(source, JinjaParser.Parse(tokens));
    }

    /// <summary>Renders with <paramref name="variables"/> (values as described on <see cref="JinjaValues"/>; build
    /// them with <see cref="JinjaVariables"/>). <paramref name="clock"/> feeds <c>strftime_now</c> (default: the
    /// system clock).</summary>
    /// <exception cref="PonderException">The template raised an error or used something the interpreter lacks,
    /// naming the template line.</exception>
    public JinjaString Render(IReadOnlyDictionary<string, object?> variables, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return new JinjaRenderer(clock ?? TimeProvider.System).Render(program, variables);
    }
}
