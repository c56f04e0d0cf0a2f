using System.Globalization;
using System.Numerics;

namespace Ponder.Tasks.Generated;

/// <summary>
/// The countdown grader. The answer is the first non-empty line of the answer text: an expression, optionally
/// followed by <c>=</c> and what it equals (<c>(12+5)*3-10=41</c> and <c>(12+5)*3-10</c> grade alike). A stated
/// right-hand side must be TRUE: one that is not an expression, or whose value differs from the left side's, makes
/// the answer incorrect with no vote (else a reward could be earned by writing <c>5+5=16</c> for target 10). An
/// empty one claims nothing. The left side must be an expression of
/// non-negative integers, + - * / (also <c>x</c> <c>X</c> <c>×</c> for times, <c>÷</c> for divide, <c>−</c> for minus)
/// and parentheses, whitespace anywhere; no unary minus. It is evaluated exactly in rationals.
/// <list type="bullet">
/// <item>Not an expression → <see cref="Grade.NoAnswer"/>.</item>
/// <item>Uses a number not in the problem, or more often than given, or divides by zero → incorrect, Canonical null
/// (an invalid answer never wins a vote).</item>
/// <item>Otherwise Canonical = the exact value (<c>41</c>, or <c>7/2</c>), correct iff it equals the target.</item>
/// </list>
/// Why the value as the voting key: every correct answer then votes together whatever the order or grouping of its
/// numbers, which is what majority voting needs. Intermediate values may be fractions or negative: the prompt asks
/// only to make the target with each number at most once, so any exact expression counts (the generator and the
/// trace use positive-integer intermediates only, which is stricter).
/// </summary>
static class CountdownAnswer
{
    public static Grade Grade(IReadOnlyList<long> numbers, long target, string answerText)
    {
        string line = (answerText ?? "").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        int equals = line.IndexOf('=', StringComparison.Ordinal);
        var parser = new Parser(equals >= 0 ? line[..equals] : line);
        if (!parser.TryParse(out var value))
            return Tasks.Grade.NoAnswer;
        if (value is null || !UsesAllowedNumbers(parser.Used, numbers))
            return new Grade(false, null);
        string claimed = equals >= 0 ? line[(equals + 1)..].Trim() : "";
        if (claimed.Length > 0 && !(new Parser(claimed).TryParse(out var stated) && stated == value))
            return new Grade(false, null); // a false (or unreadable) equation
        return new Grade(value.Value.Equals(new Fraction(target, 1)), value.Value.ToString());
    }

    static bool UsesAllowedNumbers(List<BigInteger> used, IReadOnlyList<long> numbers)
    {
        var left = numbers.Select(n => new BigInteger(n)).ToList();
        return used.All(left.Remove);
    }

    /// <summary>An exact rational in lowest terms with a positive denominator.</summary>
    internal readonly record struct Fraction
    {
        public Fraction(BigInteger numerator, BigInteger denominator)
        {
            var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
            if (denominator.Sign < 0)
                gcd = -gcd;
            Numerator = numerator / gcd;
            Denominator = denominator / gcd;
        }

        public BigInteger Numerator { get; }
        public BigInteger Denominator { get; }

        public static Fraction? Apply(char op, Fraction a, Fraction b) =>
            op switch
            {
                '+' => new Fraction(
                    a.Numerator * b.Denominator + b.Numerator * a.Denominator,
                    a.Denominator * b.Denominator
                ),
                '-' => new Fraction(
                    a.Numerator * b.Denominator - b.Numerator * a.Denominator,
                    a.Denominator * b.Denominator
                ),
                '*' => new Fraction(a.Numerator * b.Numerator, a.Denominator * b.Denominator),
                _ => b.Numerator.IsZero ? null : new Fraction(a.Numerator * b.Denominator, a.Denominator * b.Numerator),
            };

        public override string ToString() =>
            Denominator.IsOne
                ? Numerator.ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");
    }

    /// <summary>Recursive descent: expr := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*;
    /// factor := integer | '(' expr ')'. A null value means a division by zero somewhere (parsing goes on, so a
    /// syntax error still wins over it).</summary>
    sealed class Parser(string text)
    {
        int pos;

        public List<BigInteger> Used { get; } = [];

        public bool TryParse(out Fraction? value)
        {
            bool ok = Expression(out value, depth: 0);
            return ok && Peek() == '\0';
        }

        bool Expression(out Fraction? value, int depth)
        {
            if (!Term(out value, depth))
                return false;
            while (Peek() is '+' or '-')
            {
                char op = Next();
                if (!Term(out var right, depth))
                    return false;
                value = value is { } l && right is { } r ? Fraction.Apply(op, l, r) : null;
            }
            return true;
        }

        bool Term(out Fraction? value, int depth)
        {
            if (!Factor(out value, depth))
                return false;
            while (Peek() is '*' or '/')
            {
                char op = Next();
                if (!Factor(out var right, depth))
                    return false;
                value = value is { } l && right is { } r ? Fraction.Apply(op, l, r) : null;
            }
            return true;
        }

        bool Factor(out Fraction? value, int depth)
        {
            value = null;
            if (Peek() == '(')
            {
                Next();
                // Deep nesting is junk, not an answer; the bound also keeps the recursion far from the stack's end.
                return depth < 64 && Expression(out value, depth + 1) && Next() == ')';
            }
            int start = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                pos++;
            if (pos == start)
                return false;
            var n = BigInteger.Parse(text.AsSpan(start, pos - start), CultureInfo.InvariantCulture);
            Used.Add(n);
            value = new Fraction(n, 1);
            return true;
        }

        /// <summary>The next symbol with whitespace skipped and operator spellings folded to + - * /; '\0' at the
        /// end.</summary>
        char Peek()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos]))
                pos++;
            if (pos == text.Length)
                return '\0';
            return text[pos] switch
            {
                'x' or 'X' or '×' => '*',
                '÷' => '/',
                '−' => '-',
                '\0' => '?',
                var c => c,
            };
        }

        char Next()
        {
            char c = Peek();
            if (c != '\0')
                pos++;
            return c;
        }
    }
}
