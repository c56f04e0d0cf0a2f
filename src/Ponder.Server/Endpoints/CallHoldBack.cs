using System.Text;
using Ponder.Text;

namespace Ponder.Server.Endpoints;

/// <summary>
/// One streamed answer read for function calls: text that cannot be part of a call is released as content as it
/// comes; from where a call could begin (a <c>&lt;tool_call&gt;</c> or a prefix of one for Hermes; a leading
/// <c>{</c> for Llama-3 JSON) the text is held back. At the end the whole answer is read: its calls are returned, or,
/// when what was held is not a call, it is released as content.
/// </summary>
sealed class CallHoldBack(ToolUse tools)
{
    const string HermesOpen = "<tool_call>";

    readonly StringBuilder answer = new();
    int released;
    bool? leadingCall; // Llama-3 JSON: whether the answer opens with a call, once its first character is known

    /// <summary>Adds answer text; returns what may be sent as content now.</summary>
    public string Push(string delta)
    {
        answer.Append(delta);
        int safe =
            !tools.ReadsCalls ? answer.Length
            : tools.Format == ToolCallFormat.Hermes ? HermesSafe()
            : LlamaSafe();
        return Release(Math.Max(released, safe));
    }

    /// <summary>The answer's calls (none unless they parse), and the rest of the content to send.</summary>
    public (string Remaining, IReadOnlyList<ToolCall> Calls) Finish(string wholeAnswer, bool blocked)
    {
        var (_, calls) = blocked ? (null, []) : tools.Read(wholeAnswer);
        return calls.Count > 0 ? ("", calls) : (Release(answer.Length), calls);
    }

    string Release(int upTo)
    {
        string text = answer.ToString(released, upTo - released);
        released = upTo;
        return text;
    }

    /// <summary>Up to the first <c>&lt;tool_call&gt;</c>, or short of a tail that could begin one.</summary>
    int HermesSafe()
    {
        string text = answer.ToString();
        int at = text.IndexOf(HermesOpen, StringComparison.Ordinal);
        if (at >= 0)
            return at;
        for (int keep = Math.Min(HermesOpen.Length - 1, text.Length); keep > 0; keep--)
        {
            if (text.EndsWith(HermesOpen[..keep], StringComparison.Ordinal))
                return text.Length - keep;
        }
        return text.Length;
    }

    /// <summary>Nothing while the answer is blank; all of it once it opens with anything but a call.</summary>
    int LlamaSafe()
    {
        if (leadingCall is null)
        {
            string start = answer.ToString().TrimStart();
            if (start.Length == 0)
                return released;
            leadingCall = start[0] is '{' or '<';
        }
        return leadingCall.Value ? released : answer.Length;
    }
}
