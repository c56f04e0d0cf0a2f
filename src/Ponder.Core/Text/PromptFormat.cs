using System.Text.Json;
using Ponder.Text.Jinja;

namespace Ponder.Text;

/// <summary>
/// How a model turns a conversation into prompt tokens: the checkpoint's own chat template when it has one
/// (<see cref="FamilyChatTemplate"/>), else Ponder's ChatML-with-think (<see cref="ChatTemplate"/>) for models made
/// here, whose template is exactly <see cref="ChatTemplate.Jinja"/>. Serving, the CLI and the server render through
/// this; training keeps the ChatML template, whose assistant masks it needs.
/// </summary>
public sealed partial class PromptFormat
{
    readonly TextTokenizer tokenizer;
    readonly ChatTemplate? chatMl;
    readonly FamilyChatTemplate? family;

    PromptFormat(TextTokenizer tokenizer, ChatTemplate? chatMl, FamilyChatTemplate? family)
    {
        this.tokenizer = tokenizer;
        this.chatMl = chatMl;
        this.family = family;
    }

    /// <summary>The format of <paramref name="tokenizer"/>'s model: its own template unless that is Ponder's
    /// ChatML (then the built-in one, as before), the built-in one when it has none but has the ChatML think
    /// tokens, else null (the model has no chat format).</summary>
    /// <exception cref="PonderException">The model's template uses a construct the interpreter lacks.</exception>
    public static PromptFormat? For(TextTokenizer tokenizer, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        bool hasChatMl =
            tokenizer.TokenToId(ChatTemplate.ImStart) is not null
            && tokenizer.TokenToId(ChatTemplate.ThinkEnd) is not null;
        string? source = tokenizer.ChatTemplateSource;
        if (source is not null && !(hasChatMl && IsPondersChatMl(source)))
            return new PromptFormat(tokenizer, null, FamilyChatTemplate.Create(tokenizer, source, clock));
        return hasChatMl ? new PromptFormat(tokenizer, new ChatTemplate(tokenizer), null) : null;
    }

    /// <summary>Whether a template is Ponder's own ChatML-with-think (whitespace at the ends ignored).</summary>
    public static bool IsPondersChatMl(string source) =>
        string.Equals(source?.Trim(), ChatTemplate.Jinja.Trim(), StringComparison.Ordinal)
        || string.Equals(source?.Trim(), ChatTemplate.JinjaWithoutTools.Trim(), StringComparison.Ordinal);

    /// <summary>How the model writes function calls: Hermes <c>&lt;tool_call&gt;</c> blocks for the built-in ChatML
    /// (as Qwen3), the format of a checkpoint's own template, or null when that template cannot render tools.</summary>
    public ToolCallFormat? ToolFormat =>
        chatMl is not null ? ToolCallFormat.Hermes : ToolCalls.FormatOf(tokenizer.ChatTemplateSource!);

    /// <summary>True when the checkpoint's own template renders prompts (not Ponder's built-in ChatML).</summary>
    public bool UsesModelsOwnTemplate => family is not null;

    /// <summary>The built-in ChatML template, when this is the format (null for a checkpoint's own
    /// template).</summary>
    public ChatTemplate? ChatMl => chatMl;

    /// <summary>Id of <c>&lt;think&gt;</c>, when the format has think blocks.</summary>
    public int? ThinkStartId => chatMl?.ThinkStartId ?? family!.ThinkStartId;

    /// <summary>Id of <c>&lt;/think&gt;</c>, when the format has think blocks; null for families that do not
    /// reason (Llama 3, Qwen2.5, SmolLM2): their output is all answer, and thinking budgets do not apply.</summary>
    public int? ThinkEndId => chatMl?.ThinkEndId ?? family!.ThinkEndId;

    /// <summary>Tokens that end the assistant's turn.</summary>
    public IReadOnlyList<int> EndOfTurnIds => chatMl is not null ? [chatMl.EndOfTurnId] : family!.EndOfTurnIds;

    /// <summary>
    /// Renders a conversation exactly as the template does (for a checkpoint's own template: what transformers'
    /// <c>apply_chat_template(tokenize=True)</c> returns, except that message text never becomes control tokens).
    /// <paramref name="variables"/> are extra template variables such as <c>enable_thinking</c> or <c>tools</c>
    /// (vLLM's <c>chat_template_kwargs</c>); the built-in template reads only <c>enable_thinking</c>.
    /// </summary>
    public RenderedPrompt Render(
        IReadOnlyList<ChatMessage> messages,
        bool addGenerationPrompt = true,
        IReadOnlyDictionary<string, JsonElement>? variables = null
    )
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (chatMl is not null)
            return RenderChatMl(messages, addGenerationPrompt, variables);
        return family!.Render(ChatMessages.ToTemplate(messages), addGenerationPrompt, Values(variables));
    }

    /// <summary>As <see cref="Render(IReadOnlyList{ChatMessage}, bool, IReadOnlyDictionary{string, JsonElement}?)"/>
    /// for an OpenAI-style JSON message list, which may hold tool calls and tool results.</summary>
    /// <param name="source">Names the messages in errors (a file, a request field).</param>
    public RenderedPrompt Render(
        JsonElement messages,
        string source,
        bool addGenerationPrompt = true,
        IReadOnlyDictionary<string, JsonElement>? variables = null
    )
    {
        if (chatMl is not null)
            return RenderChatMl(ChatMessages.FromJson(messages, source), addGenerationPrompt, variables);
        var values = JinjaVariables.FromJson(ChatMessages.Validate(messages, source), untrusted: true)!;
        return family!.Render(values, addGenerationPrompt, Values(variables));
    }

    /// <summary>
    /// The prompt to generate from: <c>Render</c> with the generation prompt, and — for a family that reasons in
    /// think blocks with thinking not disabled (<c>enable_thinking</c> false) — a <c>&lt;think&gt;\n</c> the model
    /// would write first (Qwen3's template leaves that to the model), so the reasoning is open and thinking budgets
    /// count from the first token.
    /// </summary>
    public RenderedPrompt RenderForGeneration(
        IReadOnlyList<ChatMessage> messages,
        IReadOnlyDictionary<string, JsonElement>? variables = null
    ) => OpenReasoning(Render(messages, addGenerationPrompt: true, variables), variables);

    /// <summary><c>RenderForGeneration</c> for a JSON message list.</summary>
    public RenderedPrompt RenderForGeneration(
        JsonElement messages,
        string source,
        IReadOnlyDictionary<string, JsonElement>? variables = null
    ) => OpenReasoning(Render(messages, source, addGenerationPrompt: true, variables), variables);

    RenderedPrompt OpenReasoning(RenderedPrompt prompt, IReadOnlyDictionary<string, JsonElement>? variables)
    {
        if (family is null || prompt.ReasoningOpen || ThinkStartId is not int start || ThinkingDisabled(variables))
            return prompt;
        var ids = prompt.Ids.Append(start).Concat(tokenizer.Encode("\n")).ToArray();
        return new RenderedPrompt(ids, prompt.Text + ChatTemplate.ThinkStart + "\n", ReasoningOpen: true);
    }

    static bool ThinkingDisabled(IReadOnlyDictionary<string, JsonElement>? variables) =>
        variables is not null
        && variables.TryGetValue("enable_thinking", out var value)
        && value.ValueKind == JsonValueKind.False;

    RenderedPrompt RenderChatMl(
        IReadOnlyList<ChatMessage> messages,
        bool addGenerationPrompt,
        IReadOnlyDictionary<string, JsonElement>? variables
    )
    {
        bool open = !ThinkingDisabled(variables);
        var prompt = chatMl!.Render(messages, addGenerationPrompt, open, Tools(variables));
        return prompt with { ReasoningOpen = addGenerationPrompt && open };
    }

    static List<JsonElement>? Tools(IReadOnlyDictionary<string, JsonElement>? variables) =>
        variables is not null && variables.TryGetValue("tools", out var tools) && tools.ValueKind == JsonValueKind.Array
            ? [.. tools.EnumerateArray()]
            : null;

    /// <summary>Request variables as template values; all untrusted (they come from whoever sent them).</summary>
    static Dictionary<string, object?> Values(IReadOnlyDictionary<string, JsonElement>? variables) =>
        (variables ?? new Dictionary<string, JsonElement>()).ToDictionary(
            kv => kv.Key,
            kv => JinjaVariables.FromJson(kv.Value, untrusted: true),
            StringComparer.Ordinal
        );
}
