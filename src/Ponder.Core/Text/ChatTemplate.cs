using System.Text;
using System.Text.Json;
using Ponder.Text.Jinja;

namespace Ponder.Text;

/// <summary>
/// ChatML with thinking:
/// <code>
/// &lt;|im_start|&gt;system\n{content}&lt;|im_end|&gt;\n
/// &lt;|im_start|&gt;user\n{content}&lt;|im_end|&gt;\n
/// &lt;|im_start|&gt;assistant\n&lt;think&gt;\n{reasoning}\n&lt;/think&gt;\n{answer}&lt;|im_end|&gt;\n
/// </code>
/// Control tokens come only from this template; message text is encoded with special tokens disabled, so a user
/// who types "&lt;|im_end|&gt;" or "&lt;/think&gt;" gets ordinary text tokens. Text between two control tokens is
/// encoded as one piece, as Hugging Face does after splitting out added tokens, so ids match HF's chat template.
/// Developer messages render as <c>system</c> (ChatML has no developer role).
/// </summary>
public sealed partial class ChatTemplate
{
    /// <summary>Starts a turn.</summary>
    public const string ImStart = "<|im_start|>";

    /// <summary>Ends a turn.</summary>
    public const string ImEnd = "<|im_end|>";

    /// <summary>Opens the reasoning.</summary>
    public const string ThinkStart = "<think>";

    /// <summary>Closes the reasoning.</summary>
    public const string ThinkEnd = "</think>";

    /// <summary>The text between <c>&lt;/think&gt;</c> and the answer.</summary>
    public const string AnswerPrefix = "\n";

    /// <summary>The same format as a Jinja chat_template for tokenizer_config.json (reasoning in "reasoning_content";
    /// pass enable_thinking=false to leave the think block unopened).</summary>
    public const string Jinja = """
        {%- if tools %}
            {{- '<|im_start|>system\n' }}
            {%- if messages[0]['role'] in ['system', 'developer'] %}
                {{- messages[0]['content'] + '\n\n' }}
            {%- endif %}
            {{- '# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>' }}
            {%- for tool in tools %}
                {{- '\n' + (tool | tojson) }}
            {%- endfor %}
            {{- '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' }}
        {%- endif %}
        {%- for message in messages %}
            {%- if tools and loop.first and message['role'] in ['system', 'developer'] %}
            {%- elif message['role'] == 'assistant' %}
                {{- '<|im_start|>assistant\n<think>\n' + (message['reasoning_content'] if message['reasoning_content'] is defined and message['reasoning_content'] is not none else '') + '\n</think>\n' + (message['content'] if message['content'] is string else '') }}
                {%- if message['tool_calls'] is defined and message['tool_calls'] %}
                    {%- for tool_call in message['tool_calls'] %}
                        {%- if not loop.first or message['content'] %}
                            {{- '\n' }}
                        {%- endif %}
                        {%- set call = tool_call['function'] if tool_call['function'] is defined else tool_call %}
                        {{- '<tool_call>\n{"name": "' + call['name'] + '", "arguments": ' + (call['arguments'] if call['arguments'] is string else (call['arguments'] | tojson)) + '}\n</tool_call>' }}
                    {%- endfor %}
                {%- endif %}
                {{- '<|im_end|>\n' }}
            {%- elif message['role'] == 'tool' %}
                {%- if loop.first or messages[loop.index0 - 1]['role'] != 'tool' %}
                    {{- '<|im_start|>user' }}
                {%- endif %}
                {{- '\n<tool_response>\n' + message['content'] + '\n</tool_response>' }}
                {%- if loop.last or messages[loop.index0 + 1]['role'] != 'tool' %}
                    {{- '<|im_end|>\n' }}
                {%- endif %}
            {%- else %}
                {{- '<|im_start|>' + ('system' if message['role'] == 'developer' else message['role']) + '\n' + message['content'] + '<|im_end|>\n' }}
            {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|im_start|>assistant\n' }}
            {%- if enable_thinking is not defined or enable_thinking %}
                {{- '<think>\n' }}
            {%- endif %}
        {%- endif %}
        """;

    /// <summary>The template before it rendered tools, as models saved then carry it: the same text for
    /// conversations without tools.</summary>
    public const string JinjaWithoutTools = """
        {%- for message in messages %}{%- if message['role'] == 'assistant' %}{{- '<|im_start|>assistant\n<think>\n' + (message['reasoning_content'] if message['reasoning_content'] is defined and message['reasoning_content'] is not none else '') + '\n</think>\n' + message['content'] + '<|im_end|>\n' }}{%- else %}{{- '<|im_start|>' + ('system' if message['role'] == 'developer' else message['role']) + '\n' + message['content'] + '<|im_end|>\n' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- if enable_thinking is not defined or enable_thinking %}{{- '<think>\n' }}{%- endif %}{%- endif %}
        """;

    readonly TextTokenizer tokenizer;
    readonly int imStartId;
    TemplateEncoder? encoder;

    /// <summary>Binds the template to a tokenizer that has the ChatML and think control tokens.</summary>
    /// <exception cref="PonderException">The tokenizer lacks one of the control tokens.</exception>
    public ChatTemplate(TextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        this.tokenizer = tokenizer;
        imStartId = Control(ImStart, "the ChatML control tokens");
        EndOfTurnId = Control(ImEnd, "the ChatML control tokens");
        ThinkStartId = Control(ThinkStart, "the think control tokens");
        ThinkEndId = Control(ThinkEnd, "the think control tokens");
    }

    /// <summary>Id of <c>&lt;|im_start|&gt;</c>.</summary>
    public int TurnStartId => imStartId;

    /// <summary>Id of <c>&lt;|im_end|&gt;</c>: generation of an assistant turn stops here.</summary>
    public int EndOfTurnId { get; }

    /// <summary>Id of <c>&lt;think&gt;</c>.</summary>
    public int ThinkStartId { get; }

    /// <summary>Id of <c>&lt;/think&gt;</c>.</summary>
    public int ThinkEndId { get; }

    int Control(string token, string what)
    {
        // Encoded from the fixed string with special tokens allowed: it must be exactly one added token.
        var ids = tokenizer.Encode(token, allowSpecialTokens: true);
        if (ids.Count != 1 || !tokenizer.AddedTokens.Any(t => t.Id == ids[0]))
        {
            throw new PonderException(
                $"the model's tokenizer lacks {what} ({token} is not an added token), so the ChatML thinking template "
                    + "cannot be used with it; use a ChatML model (Qwen2/2.5/3, SmolLM2) or a tokenizer from "
                    + "TextTokenizer.CreateByteLevel"
            );
        }
        return ids[0];
    }

    /// <summary>
    /// Renders a conversation as a prompt. With <paramref name="addGenerationPrompt"/> it ends with
    /// <c>&lt;|im_start|&gt;assistant\n</c>, followed by <c>&lt;think&gt;\n</c> when <paramref name="openThinking"/>
    /// (the model then reasons and closes with <c>&lt;/think&gt;</c>).
    /// </summary>
    /// <param name="tools">OpenAI function definitions (<c>{"type": "function", "function": {…}}</c>) the model may
    /// call, rendered into the system turn as Qwen3 renders them; null or empty for none.</param>
    public RenderedPrompt Render(
        IReadOnlyList<ChatMessage> messages,
        bool addGenerationPrompt = true,
        bool openThinking = true,
        IReadOnlyList<JsonElement>? tools = null
    )
    {
        var segments = Segments(messages, tools);
        if (addGenerationPrompt)
        {
            segments.Add(new(ImStart, Control: true, Assistant: false));
            segments.Add(new("assistant\n", Control: false, Assistant: false));
            if (openThinking)
            {
                segments.Add(new(ThinkStart, Control: true, Assistant: false));
                segments.Add(new("\n", Control: false, Assistant: false));
            }
        }
        var (ids, _) = Encode(segments);
        return new RenderedPrompt(ids, string.Concat(segments.Select(s => s.Text)));
    }

    /// <summary>
    /// Renders a full conversation for supervised or RL training. The mask is true exactly on the tokens the model
    /// should learn to produce: each assistant turn's <c>&lt;think&gt;…&lt;/think&gt;\n{answer}&lt;|im_end|&gt;</c>.
    /// The <c>&lt;|im_start|&gt;assistant\n</c> header and the newline after <c>&lt;|im_end|&gt;</c> are not.
    /// </summary>
    /// Tool results are not masked: they come from the environment, not the model.
    public (int[] Ids, bool[] AssistantMask) RenderForTraining(
        IReadOnlyList<ChatMessage> messages,
        IReadOnlyList<JsonElement>? tools = null
    )
    {
        var (ids, mask) = Encode(Segments(messages, tools));
        return (ids.ToArray(), mask.ToArray());
    }

    /// <summary>
    /// Splits a completion (the text generated after the prompt, control tokens spelled out) at the last
    /// <c>&lt;/think&gt;</c> before any <c>&lt;|im_end|&gt;</c> (as Qwen3's template does: a model cut off by a
    /// thinking budget may reason on and close its reasoning again, and that text is reasoning too). A leading
    /// <c>&lt;think&gt;</c> (the model opened it itself) is dropped, the newline before <c>&lt;/think&gt;</c> and
    /// <see cref="AnswerPrefix"/> are removed, and a trailing <c>&lt;|im_end|&gt;</c> is cut. Without
    /// <c>&lt;/think&gt;</c>: if the prompt opened thinking (or the text starts with <c>&lt;think&gt;</c>) all text
    /// is unfinished reasoning and the answer is empty; otherwise it is all answer.
    /// </summary>
    /// <param name="completionText">The completion decoded with <c>skipSpecialTokens: false</c> (skipping would
    /// drop the <c>&lt;/think&gt;</c> this method looks for).</param>
    /// <param name="promptOpenedThinking">Whether the prompt ended with <c>&lt;think&gt;\n</c>.</param>
    public static (string Reasoning, string Answer, bool ThinkingClosed) SplitReasoning(
        string completionText,
        bool promptOpenedThinking = true
    )
    {
        ArgumentNullException.ThrowIfNull(completionText);
        string text = completionText;
        bool openedHere = text.TrimStart().StartsWith(ThinkStart, StringComparison.Ordinal);
        if (openedHere)
        {
            text = text.TrimStart()[ThinkStart.Length..];
            text = text.StartsWith('\n') ? text[1..] : text;
        }
        text = CutAtTurnEnd(text);
        int close = text.LastIndexOf(ThinkEnd, StringComparison.Ordinal);
        if (close < 0)
            return promptOpenedThinking || openedHere ? (text, "", false) : ("", text, false);
        string reasoning = text[..close];
        reasoning = reasoning.EndsWith('\n') ? reasoning[..^1] : reasoning;
        string answer = text[(close + ThinkEnd.Length)..];
        answer = answer.StartsWith(AnswerPrefix, StringComparison.Ordinal) ? answer[AnswerPrefix.Length..] : answer;
        return (reasoning, answer, true);
    }

    static string CutAtTurnEnd(string text)
    {
        int end = text.IndexOf(ImEnd, StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    /// <summary>A control token, or text; text mixing the template's words with a message's is
    /// <paramref name="Marked"/> (which characters came from messages), so that only added tokens the template
    /// wrote become control ids, as in a family template.</summary>
    readonly record struct Segment(string Text, bool Control, bool Assistant, JinjaString? Marked = null)
    {
        public Segment(JinjaString marked, bool assistant)
            : this(marked.Value, false, assistant, marked) { }
    }

    static List<Segment> Segments(IReadOnlyList<ChatMessage> messages, IReadOnlyList<JsonElement>? tools)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var segments = new List<Segment>();
        bool withTools = tools is { Count: > 0 };
        if (withTools)
            ToolsTurn(segments, messages, tools!);
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (withTools && i == 0 && message.Role is ChatRole.System or ChatRole.Developer)
                continue;
            if (message.Role == ChatRole.Tool)
            {
                ToolResult(segments, messages, i);
                continue;
            }
            segments.Add(new(ImStart, true, false));
            if (message.Role == ChatRole.Assistant)
            {
                segments.Add(new("assistant\n", false, false));
                segments.Add(new(ThinkStart, true, true));
                segments.Add(new("\n" + (message.Reasoning ?? "") + "\n", false, true));
                segments.Add(new(ThinkEnd, true, true));
                if (message.ToolCalls is { Count: > 0 })
                {
                    var answer = new JinjaStringBuilder().AppendTrusted(AnswerPrefix);
                    segments.Add(
                        new(
                            answer.Append(JinjaString.Untrusted(message.Content)).Append(Calls(message)).Build(),
                            assistant: true
                        )
                    );
                }
                else
                {
                    segments.Add(new(AnswerPrefix + message.Content, false, true));
                }
                segments.Add(new(ImEnd, true, true));
            }
            else
            {
                segments.Add(new(RoleName(message.Role) + "\n" + message.Content, false, false));
                segments.Add(new(ImEnd, true, false));
            }
            segments.Add(new("\n", false, false));
        }
        return segments;
    }

    static string RoleName(ChatRole role) =>
        role switch
        {
            ChatRole.System or ChatRole.Developer => "system",
            ChatRole.User => "user",
            ChatRole.Assistant => "assistant",
            ChatRole.Tool => "tool",
            _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown chat role"),
        };

    (List<int> Ids, List<bool> Mask) Encode(List<Segment> segments)
    {
        var ids = new List<int>();
        var mask = new List<bool>();
        foreach (var segment in segments)
        {
            var piece =
                segment.Control ? [ControlId(segment.Text)]
                : segment.Marked is { } marked ? (encoder ??= new TemplateEncoder(tokenizer)).Encode(marked)
                : tokenizer.Encode(segment.Text, allowSpecialTokens: false);
            ids.AddRange(piece);
            mask.AddRange(Enumerable.Repeat(segment.Assistant, piece.Count));
        }
        return (ids, mask);
    }

    int ControlId(string token) =>
        token switch
        {
            ImStart => imStartId,
            ImEnd => EndOfTurnId,
            ThinkStart => ThinkStartId,
            ThinkEnd => ThinkEndId,
            _ => throw new ArgumentException($"not a control token: {token}", nameof(token)),
        };
}
