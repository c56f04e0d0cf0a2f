namespace Ponder;

/// <summary>
/// An error caused by the user's input (a file, a field, an option) whose message says what to change.
/// The CLI prints <see cref="Exception.Message"/> on one line and exits non-zero, never a stack trace.
/// </summary>
public sealed class PonderException : Exception
{
    public PonderException(string message)
        : base(message) { }

    public PonderException(string message, Exception inner)
        : base(message, inner) { }

    public PonderException() { }
}
