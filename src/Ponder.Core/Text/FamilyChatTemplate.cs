using Ponder.Text.Jinja;

namespace Ponder.Text;

/// <summary>
/// A checkpoint's own chat template (tokenizer_config.json <c>chat_template</c> or chat_template.jinja) rendered by
/// Ponder's Jinja interpreter exactly as transformers renders it, and encoded with control tokens only where the
/// template wrote them (<see cref="TemplateEncoder"/>). Knows the family's end-of-turn token and, for families
/// that reason in <c>&lt;think&gt;</c> (Qwen3, DeepSeek-R1-Distill), its think markers.
/// </summary>
public sealed class FamilyChatTemplate
{
    const string ProbeAnswer = "ponder-probe-answer";

    readonly TextTokenizer tokenizer;
    readonly TemplateEncoder encoder;
    readonly TimeProvider clock;

    FamilyChatTemplate(TextTokenizer tokenizer, JinjaTemplate template, TimeProvider clock)
    {
        this.tokenizer = tokenizer;
        this.clock = clock;
        Template = template;
        encoder = new TemplateEncoder(tokenizer);
        bool thinks = template.Source.Contains(ChatTemplate.ThinkEnd, StringComparison.Ordinal);
        ThinkStartId = thinks ? SingleToken(ChatTemplate.ThinkStart) : null;
        ThinkEndId = thinks ? SingleToken(ChatTemplate.ThinkEnd) : null;
        EndOfTurnIds = FindEndOfTurn();
    }

    /// <summary>Parses <paramref name="source"/> for <paramref name="tokenizer"/>.</summary>
    /// <param name="clock">What <c>strftime_now</c> reads (default: the system clock).</param>
    /// <exception cref="PonderException">The template uses a construct the interpreter lacks (named, with its
    /// line).</exception>
    public static FamilyChatTemplate Create(TextTokenizer tokenizer, string source, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new FamilyChatTemplate(tokenizer, JinjaTemplate.Parse(source), clock ?? TimeProvider.System);
    }

    /// <summary>The parsed template.</summary>
    public JinjaTemplate Template { get; }

    /// <summary>Id of <c>&lt;think&gt;</c> when the family reasons in think blocks and the tokenizer has it.</summary>
    public int? ThinkStartId { get; }

    /// <summary>Id of <c>&lt;/think&gt;</c> when the family reasons in think blocks and the tokenizer has
    /// it.</summary>
    public int? ThinkEndId { get; }

    /// <summary>The token the template puts after an assistant turn (<c>&lt;|im_end|&gt;</c>,
    /// <c>&lt;|eot_id|&gt;</c>, …), found by rendering a probe conversation; empty when the template ends turns
    /// with no added token.</summary>
    public IReadOnlyList<int> EndOfTurnIds { get; }

    int? SingleToken(string text) => tokenizer.Encode(text, allowSpecialTokens: true) is [int id] ? id : null;

    IReadOnlyList<int> FindEndOfTurn()
    {
        var probe = ChatMessages.ToTemplate([
            new(ChatRole.User, "ponder-probe-question"),
            new(ChatRole.Assistant, ProbeAnswer),
        ]);
        try
        {
            var rendered = Render(probe, addGenerationPrompt: false, new Dictionary<string, object?>());
            int at = rendered.Text.LastIndexOf(ProbeAnswer, StringComparison.Ordinal);
            if (at < 0)
                return [];
            string rest = rendered.Text[(at + ProbeAnswer.Length)..];
            var next = tokenizer
                .AddedTokens.Where(t => rest.StartsWith(t.Content, StringComparison.Ordinal))
                .OrderByDescending(t => t.Content.Length)
                .FirstOrDefault();
            return next is null ? [] : [next.Id];
        }
        catch (PonderException)
        {
            // A template that refuses the probe (e.g. it insists on a system message) still renders real
            // conversations; the end of turn then comes from the tokenizer's EOS alone.
            return [];
        }
    }

    /// <summary>Renders template values: <paramref name="messages"/> (see <see cref="ChatMessages"/>) and
    /// <paramref name="variables"/> (<c>tools</c>, <c>enable_thinking</c>, …, as built by
    /// <see cref="JinjaVariables"/>), with the tokenizer's bos/eos token names.</summary>
    public RenderedPrompt Render(
        object messages,
        bool addGenerationPrompt,
        IReadOnlyDictionary<string, object?> variables
    )
    {
        ArgumentNullException.ThrowIfNull(variables);
        var all = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (tokenizer.BosToken is { } bos)
            all["bos_token"] = JinjaVariables.Text(bos, untrusted: false);
        if (tokenizer.EosToken is { } eos)
            all["eos_token"] = JinjaVariables.Text(eos, untrusted: false);
        foreach (var (name, value) in variables)
            all[name] = value;
        all["messages"] = messages;
        all["add_generation_prompt"] = addGenerationPrompt;
        var rendered = Template.Render(all, clock);
        bool open =
            ThinkStartId is not null
            && rendered.Value.TrimEnd().EndsWith(ChatTemplate.ThinkStart, StringComparison.Ordinal);
        return new RenderedPrompt(encoder.Encode(rendered), rendered.Value, open);
    }
}
