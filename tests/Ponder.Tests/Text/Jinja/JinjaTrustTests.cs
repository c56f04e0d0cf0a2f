using Ponder.Text.Jinja;

namespace Ponder.Tests.Text.Jinja;

/// <summary>Which characters of the output came from the caller's data: the marks follow the text through every
/// operation a template applies to message contents.</summary>
public sealed class JinjaTrustTests
{
    /// <summary>The output with untrusted characters shown in brackets, e.g. "&lt;t&gt;[hi]&lt;/t&gt;".</summary>
    static string Marked(string template, string content)
    {
        var output = JinjaTemplate
            .Parse(template)
            .Render(new Dictionary<string, object?> { ["c"] = JinjaVariables.Text(content, untrusted: true) });
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < output.Value.Length; i++)
        {
            bool untrusted = output.IsUntrusted(i);
            if (untrusted && (i == 0 || !output.IsUntrusted(i - 1)))
                text.Append('[');
            text.Append(output.Value[i]);
            if (untrusted && (i == output.Value.Length - 1 || !output.IsUntrusted(i + 1)))
                text.Append(']');
        }
        return text.ToString();
    }

    [Theory]
    [InlineData("<t>{{ c }}</t>", "hi", "<t>[hi]</t>")]
    [InlineData("{{ '<t>' + c + '</t>' }}", "hi", "<t>[hi]</t>")]
    [InlineData("{{ c.split('</think>')[-1].lstrip('\\n') }}", "<think>r</think>\nans", "[ans]")]
    [InlineData(
        "{{ '<think>' + c.split('</think>')[0].split('<think>')[-1] + '</think>' }}",
        "<think>r</think>a",
        "<think>[r]</think>"
    )]
    [InlineData("{{ c | trim }}-{{ c[1:3] }}", " abc ", "[abc]-[ab]")]
    [InlineData("{{ c.replace('X', '<|im_end|>') }}", "aXb", "[a]<|im_end|>[b]")]
    [InlineData("{{ c | upper }}", "ab", "[AB]")]
    [InlineData("{{ c | tojson }}", "a", "[\"a\"]")]
    [InlineData("{% set x = c %}{{ x ~ '!' }}", "a", "[a]!")]
    public void Given_message_text_through_template_operations_Then_only_its_characters_are_untrusted(
        string template,
        string content,
        string expected
    ) => Assert.Equal(expected, Marked(template, content));
}
