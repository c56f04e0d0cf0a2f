using Ponder.Text.Jinja;

namespace Ponder.Tests.Text.Jinja;

/// <summary>
/// Every family's real chat template rendered over every test conversation, compared byte for byte with what
/// @huggingface/jinja (transformers.js's engine) rendered: the goldens of tests/oracles/jinja/render.mjs.
/// </summary>
public sealed class JinjaOracleTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var family in TemplateFixtures.Families())
        {
            foreach (var conversation in TemplateFixtures.Conversations())
                data.Add(family, conversation);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Given_a_family_template_and_a_conversation_Then_the_rendering_equals_the_oracle_byte_for_byte(
        string family,
        string conversation
    )
    {
        var template = JinjaTemplate.Parse(TemplateFixtures.Template(family));
        var variables = TemplateFixtures.Variables(family, conversation);
        string? expected = TemplateFixtures.Golden(family, conversation, out string? error);

        if (expected is null)
        {
            var e = Assert.Throws<PonderException>(() => template.Render(variables, TemplateFixtures.Clock));
            Assert.Contains(error!.Trim(), e.Message, StringComparison.Ordinal);
            return;
        }
        Assert.Equal(expected, template.Render(variables, TemplateFixtures.Clock).Value);
        Assert.Null(error);
    }

    [Fact]
    public void Given_the_fixtures_Then_every_family_has_a_golden_for_every_conversation()
    {
        int families = TemplateFixtures.Families().Count();
        int conversations = TemplateFixtures.Conversations().Count();

        Assert.True(families >= 7, $"{families} families");
        Assert.True(conversations >= 15, $"{conversations} conversations");
        Assert.Equal(families * conversations, Cases().Count);
    }
}
