using System.Text.Json;

namespace Ponder.Environments;

/// <summary>A function the model may call. Tools run on grading threads, several at once.</summary>
public interface ITool
{
    /// <summary>The name the model calls it by.</summary>
    string Name { get; }

    /// <summary>Its OpenAI function definition (<c>{"type": "function", "function": {…}}</c>).</summary>
    JsonElement Definition { get; }

    /// <summary>Runs the call and returns the text the model sees as the tool's result; bad arguments or a failing
    /// run are results too (an error message the model can read), never exceptions.</summary>
    string Invoke(string argumentsJson);
}
