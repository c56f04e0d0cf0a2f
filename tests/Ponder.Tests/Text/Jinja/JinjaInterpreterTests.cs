using System.Text.Json;
using Ponder.Text.Jinja;

namespace Ponder.Tests.Text.Jinja;

/// <summary>The interpreter construct by construct, with the output Python's Jinja (as transformers configures it)
/// gives, written by hand.</summary>
public sealed class JinjaInterpreterTests
{
    static string Render(string template, string variablesJson = "{}")
    {
        using var doc = JsonDocument.Parse(variablesJson);
        var variables = doc
            .RootElement.EnumerateObject()
            .ToDictionary(p => p.Name, p => JinjaVariables.FromJson(p.Value, untrusted: true), StringComparer.Ordinal);
        return JinjaTemplate.Parse(template).Render(variables, TemplateFixtures.Clock).Value;
    }

    [Theory]
    [InlineData("{{ 'a\\nb' }}", "a\nb")]
    [InlineData("{{ \"x\" ~ 1 ~ none }}", "x1None")]
    [InlineData("{{ 7 // 2 }},{{ -7 // 2 }},{{ 7 % 3 }},{{ 7 / 2 }},{{ 2 ** 3 }}", "3,-4,1,3.5,8")]
    [InlineData("{{ [1, 2, 3][::-1] }}{{ 'abc'[1:] }}{{ 'abc'[-1] }}", "[3, 2, 1]bcc")]
    [InlineData("{{ {'a': 1}['a'] }}{{ (1, 2)[0] }}{{ true and 'y' }}{{ false or 'z' }}", "11yz")]
    [InlineData("{{ 'b' in 'abc' }}{{ 2 not in [1, 3] }}{{ 'k' in {'k': 1} }}", "TrueTrueTrue")]
    [InlineData("{{ 'yes' if 1 > 2 else 'no' }}", "no")]
    public void Given_expressions_Then_they_evaluate_as_python_jinja(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{ '\\n\\nx\\n '.strip('\\n') }}|", "x\n |")]
    [InlineData("{{ '--x--'.lstrip('-') }}{{ '--x--'.rstrip('-') }}{{ '  y '.strip() }}", "x----xy")]
    [InlineData("{{ 'a,b,c'.split(',', 1) }}{{ 'a,b,c'.rsplit(',', 1) }}", "['a', 'b,c']['a,b', 'c']")]
    [InlineData("{{ '  a  b '.split() }}{{ 'a b c'.split(none, 1) }}", "['a', 'b']['a', 'b c']")]
    [InlineData("{{ 'aXbX'.replace('X', '-') }}{{ 'aXbX'.replace('X', '-', 1) }}", "a-b-a-bX")]
    [InlineData(
        "{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'Ab'.upper() }}{{ 'Ab'.lower() }}",
        "Hello World Hello ABab"
    )]
    [InlineData("{{ 'abcabc'.find('c') }}{{ 'abcabc'.count('bc') }}{{ 'abc'.startswith(('x', 'a')) }}", "22True")]
    public void Given_string_methods_Then_they_behave_as_pythons(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{ {'b': 1, 'a': [1, 'é']} | tojson }}", "{\"b\": 1, \"a\": [1, \"é\"]}")]
    [InlineData("{{ {'a': [1]} | tojson(indent=2) }}", "{\n  \"a\": [\n    1\n  ]\n}")]
    [InlineData(
        "{{ 'é' | tojson(ensure_ascii=true) }}{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}",
        "\"\\u00e9\"{\"a\": 2, \"b\": 1}"
    )]
    [InlineData("{{ '  x  ' | trim }}{{ [3, 1] | length }}{{ 'ab' | upper }}{{ [1, 2] | join('-') }}", "x2AB1-2")]
    [InlineData(
        "{{ undefined_name | default('d') }}{{ '' | default('e', true) }}{{ [4, 5] | first }}{{ [4, 5] | last }}",
        "de45"
    )]
    [InlineData("{{ {'b': 2, 'a': 1} | dictsort }}{{ {'a': 1} | items | list }}", "[['a', 1], ['b', 2]][['a', 1]]")]
    [InlineData("{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'x' | indent(2, true) }}", "a\n  b\n\n  c|  x")]
    [InlineData("{{ 2.567 | round(1) }} {{ '12' | int + 1 }} {{ 3 | string }}{{ 'x' | safe }}", "2.6 13 3x")]
    [InlineData("{{ ['a', 'B'] | map('upper') | join }}{{ [1, 2, 3] | select('odd') | list }}", "AB[1, 3]")]
    public void Given_filters_Then_they_behave_as_jinjas(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Fact]
    public void Given_attribute_filters_over_messages_Then_they_select_and_map()
    {
        const string messages = """{"m": [{"role": "user", "n": 1}, {"role": "tool"}, {"role": "user", "n": 3}]}""";

        Assert.Equal(
            "2 [1, 3] tool",
            Render(
                "{{ m | selectattr('role', 'equalto', 'user') | list | length }} "
                    + "{{ m | selectattr('n', 'defined') | map(attribute='n') | list }} "
                    + "{{ (m | rejectattr('role', 'eq', 'user') | first).role }}",
                messages
            )
        );
    }

    [Fact]
    public void Given_a_loop_Then_loop_variables_else_and_the_if_filter_work()
    {
        const string template =
            "{% for x in xs if x != 2 %}{{ loop.index }}/{{ loop.length }}:{{ x }}"
            + "{{ ',' if not loop.last }}{% else %}empty{% endfor %}|"
            + "{% for x in [] %}x{% else %}none{% endfor %}|"
            + "{% for k, v in {'a': 1}.items() %}{{ k }}={{ v }}{{ loop.first }}{{ loop.revindex }}{% endfor %}";

        Assert.Equal("1/2:1,2/2:3|none|a=1True1", Render(template, """{"xs": [1, 2, 3]}"""));
    }

    [Fact]
    public void Given_namespace_set_macro_call_and_block_set_Then_they_render()
    {
        const string template =
            "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}|"
            + "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}"
            + "{{ greet('A') }}{{ greet('B', '?') }}|"
            + "{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% call wrap() %}inner{% endcall %}|"
            + "{% set block %}x{{ 1 + 1 }}{% endset %}{{ block }}|"
            + "{% for i in [1, 2, 3] %}{% if i == 2 %}{% continue %}{% endif %}{{ i }}"
            + "{% if i == 3 %}{% break %}{% endif %}{% endfor %}";

        Assert.Equal("3|Hi A!Hi B?|[inner]|x2|13", Render(template));
    }

    [Theory]
    [InlineData("{{ x is defined }}{{ y is undefined }}{{ none is none }}{{ 'a' is string }}", "TrueTrueTrueTrue")]
    [InlineData("{{ d is mapping }}{{ xs is iterable }}{{ xs is sequence }}{{ 1 is number }}", "TrueTrueTrueTrue")]
    [InlineData("{{ true is boolean }}{{ 1 is equalto 1 }}{{ 2 is not equalto 1 }}{{ 3 is odd }}", "TrueTrueTrueTrue")]
    public void Given_tests_Then_they_answer_as_jinjas(string template, string expected) =>
        Assert.Equal(expected, Render(template, """{"x": 1, "d": {}, "xs": [1]}"""));

    [Fact]
    public void Given_whitespace_control_and_transformers_block_trimming_Then_the_text_is_trimmed_as_jinja_does()
    {
        const string template = "<\n  {%- if true %}\n    a\n  {% endif %}\n  {{- 'b' -}}\n  c {# note #}\nd\n";

        // lstrip_blocks drops the indentation before "{%"; trim_blocks the newline after "%}" and "#}"; "-" eats
        // all whitespace on its side; the final newline of the template is dropped.
        Assert.Equal("<    a\nbc d", Render(template));
    }

    [Fact]
    public void Given_strftime_now_Then_it_reads_the_injected_clock()
    {
        Assert.Equal("26 Jul 2025, 12:00", Render("{{ strftime_now('%d %b %Y, %H:%M') }}"));
    }

    [Fact]
    public void Given_raise_exception_Then_the_error_names_the_line_and_the_message()
    {
        var e = Assert.Throws<PonderException>(() => Render("line one\n{{ raise_exception('roles must alternate') }}"));

        Assert.Equal("chat template line 2: the template raised an error: roles must alternate", e.Message);
    }

    [Theory]
    [InlineData(
        "a\n{% include 'other.jinja' %}",
        "chat template line 2: the statement '{% include %}' is not supported"
    )]
    [InlineData("{{ x | wordwrap }}", "chat template line 1: the filter 'wordwrap' is not supported")]
    [InlineData("\n\n{{ x is prime }}", "chat template line 3: the test 'prime' is not supported")]
    [InlineData("{% if x %}\nno end", "chat template line 2: the template ends before '{% endif %}'")]
    public void Given_an_unsupported_or_broken_construct_Then_the_error_names_it_and_the_line(
        string template,
        string start
    )
    {
        var e = Assert.Throws<PonderException>(() => Render(template, """{"x": 1}"""));

        Assert.StartsWith(start, e.Message, StringComparison.Ordinal);
    }
}
