using System.Text;

namespace Ponder.Text.Jinja;

/// <summary>
/// A string value of the template together with where each character came from: from the template itself (trusted)
/// or from the caller's data — message contents, tool definitions, request variables (untrusted). Every string
/// operation carries the marks along, so the tokenizer can later turn control-token text into control tokens only
/// where the template wrote it, never where a user did.
/// </summary>
public sealed class JinjaString
{
    /// <summary>The empty trusted string.</summary>
    public static readonly JinjaString Empty = new("", null);

    readonly bool[]? untrusted;

    JinjaString(string value, bool[]? untrusted)
    {
        Value = value;
        this.untrusted = untrusted is not null && Array.IndexOf(untrusted, true) >= 0 ? untrusted : null;
    }

    /// <summary>The text.</summary>
    public string Value { get; }

    /// <summary>Whether any character came from the caller's data.</summary>
    public bool HasUntrusted => untrusted is not null;

    /// <summary>Text written by the template (or by Ponder on its behalf).</summary>
    public static JinjaString Trusted(string value) => new(value, null);

    /// <summary>Text from the caller's data.</summary>
    public static JinjaString Untrusted(string value) =>
        new(value, value.Length == 0 ? null : Enumerable.Repeat(true, value.Length).ToArray());

    /// <summary>Text derived from <paramref name="sources"/>: untrusted as a whole if any of them is.</summary>
    public static JinjaString DerivedFrom(string value, params JinjaString[] sources) =>
        sources.Any(s => s.HasUntrusted) ? Untrusted(value) : Trusted(value);

    /// <summary>Whether character <paramref name="index"/> came from the caller's data.</summary>
    public bool IsUntrusted(int index) => untrusted is not null && untrusted[index];

    /// <summary>The characters [start, start + length).</summary>
    public JinjaString Substring(int start, int length) =>
        new(Value.Substring(start, length), untrusted?.AsSpan(start, length).ToArray());

    /// <summary>The characters at <paramref name="indices"/>, in that order.</summary>
    public JinjaString Pick(IReadOnlyList<int> indices)
    {
        var text = new StringBuilder(indices.Count);
        var marks = new bool[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            text.Append(Value[indices[i]]);
            marks[i] = IsUntrusted(indices[i]);
        }
        return new(text.ToString(), marks);
    }

    /// <summary>The concatenation of <paramref name="parts"/>.</summary>
    public static JinjaString Concat(params IEnumerable<JinjaString> parts)
    {
        var builder = new JinjaStringBuilder();
        foreach (var part in parts)
            builder.Append(part);
        return builder.Build();
    }

    internal void CopyMarks(List<bool> into)
    {
        if (untrusted is null)
            into.AddRange(Enumerable.Repeat(false, Value.Length));
        else
            into.AddRange(untrusted);
    }

    /// <summary>A copy of the marks (true = untrusted), one per character.</summary>
    public bool[] Marks() => untrusted is null ? new bool[Value.Length] : (bool[])untrusted.Clone();

    internal static JinjaString FromParts(string value, List<bool> marks) => new(value, marks.ToArray());

    public override string ToString() => Value;
}

/// <summary>Builds a <see cref="JinjaString"/> piece by piece, keeping each piece's marks.</summary>
public sealed class JinjaStringBuilder
{
    readonly StringBuilder text = new();
    readonly List<bool> marks = [];

    /// <summary>Characters so far.</summary>
    public int Length => text.Length;

    public JinjaStringBuilder Append(JinjaString part)
    {
        ArgumentNullException.ThrowIfNull(part);
        text.Append(part.Value);
        part.CopyMarks(marks);
        return this;
    }

    public JinjaStringBuilder AppendTrusted(string part)
    {
        text.Append(part);
        marks.AddRange(Enumerable.Repeat(false, part.Length));
        return this;
    }

    /// <summary>Removes trailing characters until the last one is not whitespace.</summary>
    public void TrimEnd()
    {
        int end = text.Length;
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
            end--;
        text.Length = end;
        marks.RemoveRange(end, marks.Count - end);
    }

    public JinjaString Build() => JinjaString.FromParts(text.ToString(), marks);
}
