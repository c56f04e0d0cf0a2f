namespace Ponder.Text;

/// <summary>An entry of tokenizer.json <c>added_tokens</c>: a token matched as a whole string, not by BPE.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Content">Its literal text, e.g. <c>&lt;|im_end|&gt;</c>.</param>
/// <param name="Special">Whether HF marks it special (skipped by <c>skip_special_tokens</c>).</param>
public sealed record AddedToken(int Id, string Content, bool Special);
