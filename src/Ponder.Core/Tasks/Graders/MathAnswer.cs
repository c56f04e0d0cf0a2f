using System.Text.RegularExpressions;
using Ponder.Tasks.Graders.Symbolic;

namespace Ponder.Tasks.Graders;

/// <summary>
/// MATH answers graded as Math-Verify grades them, without a CAS. <see cref="Read"/> finds the answer in a whole
/// completion or takes a bare answer as it is; <see cref="Equivalent(string, string)"/> parses both sides into
/// expression trees and compares them symbolically (<see cref="Equivalence"/>): √18 = 3√2, 2^{10} = 1024,
/// 1/√2 = √2/2, (x+1)^2 = x^2+2x+1, sets, tuples, intervals, matrices, equations and inequalities. Every comparison
/// has a time bound; past it, or on input that does not parse, the answer is not equivalent — never an exception.
/// <see cref="Canonical"/> is the voting key (<see cref="AnswerKey"/>).
/// </summary>
public static partial class MathAnswer
{
    /// <summary>Whether <paramref name="candidate"/> (a completion or a bare answer) states the same answer as
    /// <paramref name="gold"/>, with the default options. An empty candidate is never equivalent.</summary>
    public static bool Equivalent(string gold, string candidate) =>
        Equivalent(gold, candidate, MathGradingOptions.Default);

    /// <summary>Whether <paramref name="candidate"/> states the same answer as <paramref name="gold"/>.</summary>
    public static bool Equivalent(string gold, string candidate, MathGradingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Equivalent(Read(gold, options), Read(candidate, options), options);
    }

    /// <summary>The grade of a completion against a reference: correct when equivalent, with the completion's
    /// voting key as its canonical answer (no answer when nothing can be read from it).</summary>
    public static Tasks.Grade Grade(string reference, string completion, MathGradingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pred = Read(completion, options);
        if (AnswerKey.Of(pred) is not { } key)
            return Tasks.Grade.NoAnswer;
        return new Tasks.Grade(Equivalent(Read(reference, options), pred, options), key);
    }

    /// <summary>The voting key of <paramref name="answer"/> (a completion or a bare answer); empty when it states
    /// no answer. Two answers share a key only if they are equivalent.</summary>
    public static string Canonical(string answer) => AnswerKey.Of(Read(answer, MathGradingOptions.Default)) ?? "";

    /// <summary>The exact value when <paramref name="answer"/> is a plain number, fraction, decimal or
    /// percent.</summary>
    public static bool TryNumber(string answer, out Rational value) => LatexNumber.TryParse(answer, out value);

    internal static bool Equivalent(ExtractedAnswer gold, ExtractedAnswer pred, MathGradingOptions options)
    {
        if (gold.Value is { } g && pred.Value is { } p)
        {
            var deadline = new Deadline(options.Time, options.TimeBudget);
            var equivalence = new Equivalence(
                options.DecimalPlaces,
                options.StrictVariables,
                options.GoldSetMatchesInequality,
                deadline
            );
            try
            {
                if (equivalence.Compare(g, p))
                    return true;
            }
            catch (DeadlineExceeded)
            {
                // Out of time: not equivalent (the texts may still match below).
            }
        }
        // Math-Verify also compares the extracted texts, which decides answers that neither side could parse.
        return !string.IsNullOrWhiteSpace(gold.Text) && gold.Text.Trim() == pred.Text?.Trim();
    }

    /// <summary>
    /// The answer <paramref name="text"/> states: a bare answer as it is (no math delimiters, no box, no run of
    /// prose words: <c>\frac{1}{2}</c>, <c>x = 3</c>, <c>Evelyn</c>); else Math-Verify's extraction
    /// (<see cref="AnswerExtraction"/>: box, final-answer phrase, last math span or plain number); else "the answer
    /// is X" or a choice letter "(B)"; else a short text taken whole.
    /// </summary>
    internal static ExtractedAnswer Read(string text, MathGradingOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var t = text.Trim();
        if (t.Length == 0)
            return ExtractedAnswer.None;
        if (options.Latex && IsBare(t) && Bare(t) is { Value: not null } bare)
            return bare;
        var extracted = AnswerExtraction.Extract(t, options.Latex, options.Plain);
        if (!extracted.IsEmpty || !options.Latex || !options.Plain)
            return extracted;
        if (Stated(t) is { Value: not null } stated)
            return stated;
        return t.Length <= 80 && !t.Contains('\n', StringComparison.Ordinal) ? Bare(t) : extracted;
    }

    static ExtractedAnswer Bare(string text)
    {
        var normalized = LatexNormalization.Normalize(text, LatexNormalization.BoxedMode.All);
        return new ExtractedAnswer(Parser.Parse(normalized), normalized);
    }

    static bool IsBare(string t)
    {
        if (t.Length > 200 || t.IndexOfAny(['$', '\n']) >= 0)
            return false;
        if (t.Contains(@"\(", StringComparison.Ordinal) || t.Contains(@"\[", StringComparison.Ordinal))
            return false;
        if (t.Contains(@"\boxed", StringComparison.Ordinal) || t.Contains(@"\fbox", StringComparison.Ordinal))
            return false;
        var outsideText = TextGroup().Replace(t, " ");
        return !Prose().IsMatch(CommandName().Replace(outsideText, " "));
    }

    /// <summary>A Ponder extension for completions Math-Verify finds nothing in: "the answer is (B)", "Final
    /// answer: Evelyn".</summary>
    static ExtractedAnswer? Stated(string text)
    {
        var letters = ChoiceLetter().Matches(text);
        if (letters.Count > 0)
        {
            var letter = letters[^1].Groups["letter"].Value;
            return new ExtractedAnswer(new Sym(letter), letter);
        }
        var phrases = AnswerPhrase().Matches(text);
        return phrases.Count == 0 ? null : Bare(phrases[^1].Groups[1].Value.Trim());
    }

    [GeneratedRegex(@"\\(?:text|textbf|textit|textrm|mbox|mathrm|operatorname)\s*\{[^{}]*\}")]
    private static partial Regex TextGroup();

    [GeneratedRegex(@"\\[A-Za-z]+")]
    private static partial Regex CommandName();

    // Two words in a row ("the answer", "I think"): prose, not a bare answer.
    [GeneratedRegex(@"[A-Za-z]{2,}[\s,.;:!?']+[A-Za-z]{2,}")]
    private static partial Regex Prose();

    [GeneratedRegex(
        @"(?i:\banswer(?:\s+is|\s*:)?)\s*:?\s*\**\s*(?:\((?<letter>[A-J])\)|(?<letter>[A-J])\**(?![A-Za-z0-9]))"
    )]
    private static partial Regex ChoiceLetter();

    [GeneratedRegex(@"(?i:\b(?:final answer|the answer)\s*(?:is|:))\s*:?\s*([^\n]{1,60}?)\s*(?:\.\s|\.$|$|\n)")]
    private static partial Regex AnswerPhrase();
}
