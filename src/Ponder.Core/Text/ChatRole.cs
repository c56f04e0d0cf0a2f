namespace Ponder.Text;

/// <summary>Who wrote a chat message.</summary>
public enum ChatRole
{
    /// <summary>Instructions for the whole conversation.</summary>
    System,

    /// <summary>
    /// Instructions from the application developer (OpenAI's name for system messages of reasoning models).
    /// ChatML has no such role, so it renders as <c>system</c>, as OpenAI maps it for ChatML models.
    /// </summary>
    Developer,

    /// <summary>The user.</summary>
    User,

    /// <summary>The model.</summary>
    Assistant,

    /// <summary>A function's result, sent back after the assistant called it. ChatML renders results as Qwen3 does:
    /// inside <c>&lt;tool_response&gt;</c> in a <c>user</c> turn, consecutive results in one turn.</summary>
    Tool,
}
