using System.Globalization;
using Ponder.Text;

namespace Ponder.Tasks.Generated;

/// <summary>
/// The arithmetic task with the <c>python</c> tool (<c>tool=python</c>): one prompt line that shows the call format,
/// and the reference conversation that calls it. The call is written as the built-in ChatML writes calls (Qwen3's
/// Hermes format), so a model trained on it writes calls the rollout reads. The line is short because a byte-level
/// model pays a token per character of every prompt.
/// </summary>
static class ArithmeticTool
{
    /// <summary>The name of the one tool the task knows (the environment's <c>python</c> tool).</summary>
    public const string Python = "python";

    /// <summary>The prompt line after the problem: the exact call format, with placeholder operands.</summary>
    public const string PromptLine =
        "You may run Python by writing:\n<tool_call>\n{\"name\": \"python\", \"arguments\": {\"code\": "
        + "\"print(A * B)\"}}\n</tool_call>";

    /// <summary>The call's arguments as the reference writes them: <c>{"code": "print(347 * 28)"}</c>.</summary>
    public static string Arguments(long a, char op, long b) =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"code\": \"print({a} {op} {b})\"}}");

    /// <summary>[user, assistant calling python, the tool's result, assistant answering]. The result is what the
    /// python tool returns for the call: the printed integer, trailing newline removed.</summary>
    public static IReadOnlyList<ChatMessage> Conversation(string prompt, long a, char op, long b, string answer) =>
        [
            new(ChatRole.User, prompt),
            new(ChatRole.Assistant, "", "Run it in python.", [new ToolCall(Python, Arguments(a, op, b))]),
            new(ChatRole.Tool, answer, ToolCallId: "call_0"),
            new(ChatRole.Assistant, answer, $"python printed {answer}."),
        ];
}
