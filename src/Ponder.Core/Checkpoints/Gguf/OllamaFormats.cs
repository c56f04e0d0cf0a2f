using System.Text.RegularExpressions;

namespace Ponder.Checkpoints.Gguf;

/// <summary>
/// A chat format as an Ollama Modelfile states it: a Go template over <c>.Messages</c> (Role, Content, Thinking),
/// the stop strings, and the default system prompt the family's Jinja template adds when a conversation has none.
/// </summary>
/// <param name="Name">What the format is called in messages and docs.</param>
/// <param name="Template">The TEMPLATE (Go text/template, Ollama's variables).</param>
/// <param name="Stops">PARAMETER stop lines.</param>
public sealed record OllamaFormat(string Name, string Template, IReadOnlyList<string> Stops);

/// <summary>The chat formats Ponder can write for Ollama, recognised from the model's Jinja chat template.</summary>
public static partial class OllamaFormats
{
    /// <summary>Ponder's ChatML with thinking (<see cref="Text.ChatTemplate"/>): every assistant turn carries its
    /// reasoning in <c>&lt;think&gt;\n…\n&lt;/think&gt;\n</c>, and the generation prompt opens the reasoning unless
    /// the request turns thinking off (Ollama's <c>think: false</c>, as <c>enable_thinking=false</c>).</summary>
    public static readonly OllamaFormat PonderThink = new(
        "ChatML with <think> (Ponder)",
        """
        {{- range $i, $_ := .Messages }}
        {{- $last := eq (len (slice $.Messages $i)) 1 }}
        {{- if eq .Role "assistant" }}<|im_start|>assistant
        <think>
        {{ .Thinking }}
        </think>
        {{ .Content }}<|im_end|>
        {{ else }}<|im_start|>{{ if eq .Role "developer" }}system{{ else }}{{ .Role }}{{ end }}
        {{ .Content }}<|im_end|>
        {{ end }}
        {{- if and $last (ne .Role "assistant") }}<|im_start|>assistant
        {{ if or (not $.IsThinkSet) $.Think }}<think>
        {{ end }}
        {{- end }}
        {{- end }}
        """,
        ["<|im_end|>", "<|im_start|>", "<|endoftext|>"]
    );

    /// <summary>Qwen3's ChatML: the model opens <c>&lt;think&gt;</c> itself; reasoning is kept only in turns after
    /// the last user message; thinking turned off renders an empty think block.</summary>
    public static readonly OllamaFormat Qwen3Think = new(
        "ChatML with <think> (Qwen3)",
        """
        {{- $lastUser := -1 }}
        {{- range $i, $m := .Messages }}{{ if eq $m.Role "user" }}{{ $lastUser = $i }}{{ end }}{{ end }}
        {{- range $i, $_ := .Messages }}
        {{- $last := eq (len (slice $.Messages $i)) 1 }}
        {{- if eq .Role "assistant" }}<|im_start|>assistant
        {{ if and .Thinking (gt $i $lastUser) }}<think>
        {{ .Thinking }}
        </think>

        {{ end }}{{ .Content }}<|im_end|>
        {{ else }}<|im_start|>{{ .Role }}
        {{ .Content }}<|im_end|>
        {{ end }}
        {{- if and $last (ne .Role "assistant") }}<|im_start|>assistant
        {{ if and $.IsThinkSet (not $.Think) }}<think>

        </think>

        {{ end }}
        {{- end }}
        {{- end }}
        """,
        ["<|im_end|>", "<|im_start|>", "<|endoftext|>"]
    );

    /// <summary>Plain ChatML (Qwen2.5, SmolLM2).</summary>
    public static readonly OllamaFormat ChatMl = new(
        "ChatML",
        """
        {{- range $i, $_ := .Messages }}
        {{- $last := eq (len (slice $.Messages $i)) 1 }}<|im_start|>{{ .Role }}
        {{ .Content }}<|im_end|>
        {{ if and $last (ne .Role "assistant") }}<|im_start|>assistant
        {{ end }}
        {{- end }}
        """,
        ["<|im_end|>", "<|im_start|>", "<|endoftext|>"]
    );

    /// <summary>Llama 3 headers (BOS comes from the tokenizer's add_bos_token, not the template).</summary>
    public static readonly OllamaFormat Llama3 = new(
        "Llama 3",
        """
        {{- range $i, $_ := .Messages }}
        {{- $last := eq (len (slice $.Messages $i)) 1 }}<|start_header_id|>{{ .Role }}<|end_header_id|>

        {{ .Content }}<|eot_id|>
        {{- if and $last (ne .Role "assistant") }}<|start_header_id|>assistant<|end_header_id|>

        {{ end }}
        {{- end }}
        """,
        ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    );

    /// <summary>The format of a Jinja chat template, by the control tokens it writes; null when none fits.</summary>
    public static OllamaFormat? Recognize(string? jinja)
    {
        if (jinja is null)
            return null;
        if (jinja.Trim() == Text.ChatTemplate.Jinja.Trim())
            return PonderThink;
        if (jinja.Contains("<|start_header_id|>", StringComparison.Ordinal))
            return Llama3;
        if (!jinja.Contains("<|im_start|>", StringComparison.Ordinal))
            return null;
        return jinja.Contains("<think>", StringComparison.Ordinal) ? Qwen3Think : ChatMl;
    }

    /// <summary>The system prompt a ChatML template writes when the conversation has none (Qwen2.5's "You are Qwen,
    /// …", SmolLM2's "You are a helpful AI assistant named SmolLM, …").</summary>
    public static string? DefaultSystem(string? jinja) =>
        jinja is not null && DefaultSystemRegex().Match(jinja) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"'<\|im_start\|>system\\n([^'{}\\]+)<\|im_end\|>\\n'")]
    private static partial Regex DefaultSystemRegex();
}
